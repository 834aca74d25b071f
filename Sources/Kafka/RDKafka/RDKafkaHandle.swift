import CRdKafka

/// Creates librdkafka handles from lowered properties. Errors never show secret values.
enum RDKafkaHandle {
    enum Kind {
        case producer, consumer

        var cType: rd_kafka_type_t { self == .producer ? RD_KAFKA_PRODUCER : RD_KAFKA_CONSUMER }
    }

    /// Builds a `rd_kafka_conf_t` with the callbacks AgentBus uses, then the handle.
    ///
    /// `context` becomes the handle's opaque: every callback finds its Swift state through it. The
    /// caller keeps `context` alive for as long as the handle lives.
    static func make(
        _ kind: Kind,
        properties: KafkaConfigurationProperties,
        context: RDKafkaClientContext,
        configure: (OpaquePointer) -> Void = { _ in }
    ) throws(KafkaError) -> OpaquePointer {
        if let servers = properties.entries.last(where: { $0.key == "bootstrap.servers" })?.value,
            servers.split(separator: ",").allSatisfy({ $0.trimmingWhitespace().isEmpty })
        {
            throw .configuration("bootstrap.servers is empty: give at least one broker as host:port")
        }

        let conf = rd_kafka_conf_new()!
        var errstr = [CChar](repeating: 0, count: 512)
        for (key, value) in properties.entries {
            let result = rd_kafka_conf_set(conf, key, value, &errstr, errstr.count)
            guard result == RD_KAFKA_CONF_OK else {
                rd_kafka_conf_destroy(conf)
                throw .configuration(
                    describeConfError(result, key: key, value: value, librdkafkaText: String(cBuffer: errstr)))
            }
        }
        rd_kafka_conf_set_opaque(conf, Unmanaged.passUnretained(context).toOpaque())
        rd_kafka_conf_set_log_cb(conf, rdKafkaLogCallback)
        rd_kafka_conf_set_error_cb(conf, rdKafkaErrorCallback)
        configure(conf)

        // rd_kafka_new takes ownership of conf on success only.
        guard let handle = rd_kafka_new(kind.cType, conf, &errstr, errstr.count) else {
            rd_kafka_conf_destroy(conf)
            throw .configuration(redact(String(cBuffer: errstr), properties: properties))
        }
        return handle
    }

    private static func describeConfError(
        _ result: rd_kafka_conf_res_t, key: String, value: String, librdkafkaText: String
    ) -> String {
        let shown = KafkaConfigurationProperties.displayValue(value, for: key)
        switch result {
        case RD_KAFKA_CONF_UNKNOWN:
            return "unknown configuration property \"\(key)\" (see librdkafka's CONFIGURATION.md for valid names)"
        default:
            let detail = KafkaConfigurationProperties.isSensitive(key) ? "" : ": \(librdkafkaText)"
            return "invalid value \"\(shown)\" for configuration property \"\(key)\"\(detail)"
        }
    }

    /// Removes any secret value that librdkafka may have echoed back.
    static func redact(_ text: String, properties: KafkaConfigurationProperties) -> String {
        var result = text
        for (key, value) in properties.entries where KafkaConfigurationProperties.isSensitive(key) && !value.isEmpty {
            result = result.replacingAll(value, with: "[redacted]")
        }
        return result
    }
}

extension StringProtocol {
    func trimmingWhitespace() -> Substring {
        let s = Substring(self)
        guard let first = s.firstIndex(where: { !$0.isWhitespace }),
            let last = s.lastIndex(where: { !$0.isWhitespace })
        else { return "" }
        return s[first...last]
    }
}

extension String {
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var result = ""
        var rest = self[...]
        while let range = rest.firstRange(of: target) {
            result += rest[..<range.lowerBound]
            result += replacement
            rest = rest[range.upperBound...]
        }
        result += rest
        return result
    }
}

extension String {
    /// The text of a NUL-terminated C buffer that librdkafka filled (an `errstr`).
    init(cBuffer buffer: [CChar]) {
        self = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
