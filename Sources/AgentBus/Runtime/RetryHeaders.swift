import Kafka

/// What a record on a retry topic (`<agent>.retry.<delay>`) says about its retry: when it is due, the attempts so far,
/// and where the event was first read.
struct RetryHeaders {
    var due: Int64?
    var attempts: Int
    var origin: RecordOrigin?

    init(_ headers: KafkaRecordHeaders) {
        func text(_ name: String) -> String? { headers.string(named: name) }
        due = text(RuntimeHeader.retryDue).flatMap { Int64($0) }
        attempts = max(0, text(RuntimeHeader.attempts).flatMap { Int($0) } ?? 0)
        origin = text(RuntimeHeader.retryOrigin).flatMap(RecordOrigin.init)
    }
}
