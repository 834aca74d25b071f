/// librdkafka properties in the order they are applied, with the secret ones remembered so that
/// no error or log line ever shows their values.
///
/// This is the one place AgentBus configuration becomes librdkafka keys.
struct KafkaConfigurationProperties: Sendable {
    private(set) var entries: [(key: String, value: String)] = []

    /// Properties whose values are secrets. librdkafka itself redacts these in its own dumps.
    static let sensitiveKeys: Set<String> = [
        "sasl.password", "sasl.oauthbearer.client.secret", "sasl.oauthbearer.config",
        "ssl.key.password", "ssl.key.pem", "ssl_key", "ssl.keystore.password", "ssl.certificate.pem",
    ]

    static func isSensitive(_ key: String) -> Bool {
        sensitiveKeys.contains(key) || key.contains("password") || key.contains("secret")
    }

    mutating func set(_ key: String, _ value: String) {
        entries.append((key, value))
    }

    mutating func set(_ key: String, milliseconds duration: Duration) {
        set(key, String(duration.wholeMilliseconds))
    }

    /// User-supplied properties go last, sorted so the order is the same every run.
    mutating func merge(_ properties: [String: String]) {
        for key in properties.keys.sorted() { set(key, properties[key]!) }
    }

    /// The value as it may be shown to a person.
    static func displayValue(_ value: String, for key: String) -> String {
        isSensitive(key) ? "[redacted]" : value
    }

    /// Common connection settings: bootstrap, client ID, security.
    mutating func setConnection(bootstrapServers: [String], clientID: String, security: KafkaSecurity) {
        set("bootstrap.servers", bootstrapServers.joined(separator: ","))
        set("client.id", clientID)
        set("security.protocol", security.protocol.rawValue)
        if let sasl = security.sasl {
            set("sasl.mechanism", sasl.mechanism.rawValue)
            if let username = sasl.username { set("sasl.username", username) }
            if let password = sasl.password { set("sasl.password", password.value) }
        }
        if let tls = security.tls {
            if let ca = tls.caLocation { set("ssl.ca.location", ca) }
            if let cert = tls.certificateLocation { set("ssl.certificate.location", cert) }
            if let key = tls.keyLocation { set("ssl.key.location", key) }
            if let password = tls.keyPassword { set("ssl.key.password", password.value) }
            set("ssl.endpoint.identification.algorithm", tls.verifyHostname ? "https" : "none")
        }
    }
}

extension Duration {
    /// Whole milliseconds, rounded down; what librdkafka's `*.ms` properties take.
    var wholeMilliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}

extension KafkaProducerConfiguration {
    var librdkafkaProperties: KafkaConfigurationProperties {
        var p = KafkaConfigurationProperties()
        p.setConnection(bootstrapServers: bootstrapServers, clientID: clientID, security: security)
        p.set("linger.ms", milliseconds: linger)
        p.set("enable.idempotence", idempotence ? "true" : "false")
        p.set("acks", acks.rawValue)
        p.set("message.timeout.ms", milliseconds: deliveryTimeout)
        p.set("compression.codec", compression.rawValue)
        p.set("partitioner", partitioner.rawValue)
        p.set("queue.buffering.max.messages", String(maxQueuedMessages))
        p.merge(properties)
        return p
    }
}

extension KafkaConsumerConfiguration {
    var librdkafkaProperties: KafkaConfigurationProperties {
        var p = KafkaConfigurationProperties()
        p.setConnection(bootstrapServers: bootstrapServers, clientID: clientID, security: security)
        p.set("group.id", groupID)
        p.set("auto.offset.reset", autoOffsetReset.rawValue)
        p.set("session.timeout.ms", milliseconds: sessionTimeout)
        // A heartbeat must come well within the session that applies, which `properties` (`-X`)
        // may set; Kafka's default is a third of it.
        p.set("heartbeat.interval.ms", String(defaultHeartbeatMilliseconds))
        p.set("auto.commit.interval.ms", milliseconds: autoCommitInterval)
        p.set("fetch.wait.max.ms", milliseconds: fetchWaitMax)
        p.set("partition.assignment.strategy", assignmentStrategy)
        // At-least-once: the application stores an offset only after its work is done.
        p.set("enable.auto.offset.store", "false")
        p.set("enable.auto.commit", "true")
        p.set("enable.partition.eof", "false")
        p.merge(properties)
        return p
    }
}

extension KafkaClientConfiguration {
    var librdkafkaProperties: KafkaConfigurationProperties {
        var p = KafkaConfigurationProperties()
        p.setConnection(bootstrapServers: bootstrapServers, clientID: clientID, security: security)
        p.merge(properties)
        return p
    }
}
