@testable import Kafka
import Testing

@Suite("Configuration lowering")
struct ConfigurationLoweringTests {
    func dictionary(_ properties: KafkaConfigurationProperties) -> [String: String] {
        Dictionary(properties.entries.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last })
    }

    @Test("producer defaults are safe: idempotent, acks=all")
    func producerDefaults() {
        let p = dictionary(KafkaProducerConfiguration(bootstrapServers: ["a:1", "b:2"]).librdkafkaProperties)
        #expect(p["bootstrap.servers"] == "a:1,b:2")
        #expect(p["enable.idempotence"] == "true")
        #expect(p["acks"] == "all")
        #expect(p["linger.ms"] == "5")
        #expect(p["message.timeout.ms"] == "300000")
        #expect(p["security.protocol"] == "plaintext")
    }

    @Test("consumer defaults give at-least-once; the embedded cluster tuning is 6 s and 5 ms")
    func consumerDefaults() {
        var configuration = KafkaConsumerConfiguration(bootstrapServers: ["a:1"], groupID: "g")
        var p = dictionary(configuration.librdkafkaProperties)
        #expect(p["enable.auto.offset.store"] == "false")
        #expect(p["enable.auto.commit"] == "true")
        #expect(p["partition.assignment.strategy"] == "range,roundrobin")
        #expect(p["session.timeout.ms"] == "45000")
        configuration.tuneForEmbeddedCluster()
        p = dictionary(configuration.librdkafkaProperties)
        #expect(p["session.timeout.ms"] == "6000")
        #expect(p["fetch.wait.max.ms"] == "5")
    }

    @Test("the heartbeat follows the session timeout that applies, also when -X properties set it")
    func heartbeatFromMergedSession() throws {
        // The session set as a property (`-X session.timeout.ms=6000`) over the 45 s field: a
        // heartbeat derived from the field (15 s) would let the session expire every 6 s.
        var configuration = KafkaConsumerConfiguration(
            bootstrapServers: ["a:1"], groupID: "g", properties: ["session.timeout.ms": "6000"])
        #expect(dictionary(configuration.librdkafkaProperties)["heartbeat.interval.ms"] == "2000")
        #expect(throws: Never.self) { try configuration.validate() }

        // A heartbeat given explicitly is kept, and must be below the session.
        configuration.properties["heartbeat.interval.ms"] = "1500"
        #expect(dictionary(configuration.librdkafkaProperties)["heartbeat.interval.ms"] == "1500")
        configuration.properties["heartbeat.interval.ms"] = "6000"
        #expect(throws: KafkaError.self) { try configuration.validate() }
        do {
            try configuration.validate()
        } catch {
            #expect(error.message == "heartbeat.interval.ms (6000 ms) must be below session.timeout.ms (6000 ms)")
        }
        // Not a number: librdkafka's own error names the property and the value.
        configuration.properties["session.timeout.ms"] = "six seconds"
        #expect(throws: Never.self) { try configuration.validate() }
    }

    @Test("pass-through properties win over fields, and SASL/SSL settings lower unchanged")
    func passThroughAndSecurity() {
        let security = KafkaSecurity(
            protocol: .saslSSL, sasl: .init(mechanism: .scramSHA256, username: "u", password: "p"),
            tls: .init(caLocation: "/etc/ca.pem"))
        let p = dictionary(KafkaProducerConfiguration(
            bootstrapServers: ["a:1"], security: security, properties: ["linger.ms": "50", "sasl.kerberos.service.name": "kafka"]
        ).librdkafkaProperties)
        #expect(p["linger.ms"] == "50")
        #expect(p["sasl.kerberos.service.name"] == "kafka")
        #expect(p["security.protocol"] == "sasl_ssl")
        #expect(p["sasl.mechanism"] == "SCRAM-SHA-256")
        #expect(p["sasl.username"] == "u")
        #expect(p["sasl.password"] == "p")
        #expect(p["ssl.ca.location"] == "/etc/ca.pem")
        #expect(KafkaConfigurationProperties.displayValue("p", for: "sasl.password") == "[redacted]")
    }

    @Test("durations lower to whole milliseconds")
    func durations() {
        #expect(Duration.milliseconds(1500).wholeMilliseconds == 1500)
        #expect(Duration.seconds(6).wholeMilliseconds == 6000)
        #expect(Duration.microseconds(999).wholeMilliseconds == 0)
    }
}
