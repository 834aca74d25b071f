import CRdKafka
import Logging
import Synchronization

/// The Swift state behind a librdkafka handle's callbacks: its logger and what it last heard
/// from the brokers. Producer and consumer contexts subclass it.
class RDKafkaClientContext: @unchecked Sendable {
    let logger: Logger
    /// The last error librdkafka reported through `error_cb`: attached to timeouts, so a
    /// "delivery timed out" also says "connection refused" when that is the cause.
    let lastClientError = Mutex<String?>(nil)
    /// Set when librdkafka reports a fatal error; the handle must not be used after that.
    let fatalError = Mutex<KafkaError?>(nil)

    init(logger: Logger) {
        self.logger = logger
    }

    static func from(_ opaque: UnsafeMutableRawPointer?) -> RDKafkaClientContext? {
        guard let opaque else { return nil }
        return Unmanaged<RDKafkaClientContext>.fromOpaque(opaque).takeUnretainedValue()
    }

    /// Called on librdkafka's threads or the polling thread; must not call back into librdkafka
    /// other than to read the fatal error.
    func clientError(handle: OpaquePointer?, code: rd_kafka_resp_err_t, reason: String) {
        if code == RD_KAFKA_RESP_ERR__FATAL, let handle {
            var buffer = [CChar](repeating: 0, count: 512)
            let original = rd_kafka_fatal_error(handle, &buffer, buffer.count)
            let error = KafkaError(original, context: "fatal client error", detail: String(cBuffer: buffer))
            fatalError.withLock { $0 = KafkaError(code: .fatal, message: error.message, librdkafkaName: error.librdkafkaName) }
            logger.error("librdkafka fatal error", metadata: ["reason": "\(error.message)"])
            fatalErrorRaised()
            return
        }
        lastClientError.withLock { $0 = reason }
        // librdkafka retries these on its own; they are worth a line, not an exception.
        logger.warning("kafka client error", metadata: ["code": "\(String(cString: rd_kafka_err2name(code)))", "reason": "\(reason)"])
    }

    /// Overridden to stop the client when librdkafka gives up for good.
    func fatalErrorRaised() {}

    /// "(last client error: …)" for messages about timeouts, or "" when there was none.
    var lastClientErrorSuffix: String {
        lastClientError.withLock { $0 }.map { " (last client error: \($0))" } ?? ""
    }
}

/// librdkafka's syslog levels, mapped to swift-log's.
private func logLevel(_ syslogLevel: Int32) -> Logger.Level {
    switch syslogLevel {
    case ...3: return .error
    case 4: return .warning
    case 5, 6: return .info
    default: return .debug
    }
}

let rdKafkaLogCallback: @convention(c) (OpaquePointer?, Int32, UnsafePointer<CChar>?, UnsafePointer<CChar>?) -> Void = {
    handle, level, facility, message in
    guard let handle, let context = RDKafkaClientContext.from(rd_kafka_opaque(handle)) else { return }
    context.logger.log(
        level: logLevel(level),
        "\(message.map { String(cString: $0) } ?? "")",
        metadata: ["librdkafka.facility": "\(facility.map { String(cString: $0) } ?? "")"]
    )
}

let rdKafkaErrorCallback: @convention(c) (OpaquePointer?, Int32, UnsafePointer<CChar>?, UnsafeMutableRawPointer?) -> Void = {
    handle, code, reason, opaque in
    guard let context = RDKafkaClientContext.from(opaque) else { return }
    context.clientError(
        handle: handle, code: rd_kafka_resp_err_t(code), reason: reason.map { String(cString: $0) } ?? "")
}
