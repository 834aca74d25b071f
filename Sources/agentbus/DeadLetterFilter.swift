import AgentBus
import AgentBusReplay

/// One `--where KEY=VALUE` of `dlt redrive`: which dead letters to select.
struct DeadLetterFilter: Sendable, CustomStringConvertible {
    enum Key: String, CaseIterable, Sendable {
        /// The failure class, exactly (`agentbus_failure_class`).
        case `class`
        /// The event type, exactly (`ce_type`).
        case type
        /// Part of the reason (`kafka_dlt-exception-message`).
        case reason
        /// The dead letter's partition and offset in `<agent>.dlt`.
        case partition, offset
        /// The event ID (`ce_id`) and correlation ID (`ce_correlationid`), exactly.
        case id, correlation
    }

    let key: Key
    let value: String

    /// Parses `KEY=VALUE`; the error is one line naming the keys.
    init(parsing text: String) throws(ParseError) {
        guard let equals = text.firstIndex(of: "=") else {
            throw ParseError(description: "--where takes KEY=VALUE, got \"\(text)\"; keys: \(Self.keyList)")
        }
        let name = String(text[..<equals])
        guard let key = Key(rawValue: name) else {
            throw ParseError(description: "unknown --where key \"\(name)\"; keys: \(Self.keyList)")
        }
        let value = String(text[text.index(after: equals)...])
        switch key {
        case .class where FailureClass(rawValue: value) == nil:
            let classes = FailureClass.allCases.map(\.rawValue).joined(separator: ", ")
            throw ParseError(description: "unknown failure class \"\(value)\"; classes: \(classes)")
        case .partition, .offset:
            guard Int64(value) != nil else { throw ParseError(description: "--where \(name) takes a whole number, got \"\(value)\"") }
        default:
            break
        }
        self.key = key
        self.value = value
    }

    struct ParseError: Error, CustomStringConvertible {
        let description: String
    }

    static var keyList: String { Key.allCases.map(\.rawValue).joined(separator: ", ") }

    var description: String { "\(key.rawValue)=\(value)" }

    func matches(_ entry: DeadLetterInbox.Entry) -> Bool {
        let deadLetter = entry.deadLetter
        func header(_ name: String) -> String? { deadLetter.record.headers.string(named: name) }
        switch key {
        case .class: return deadLetter.failureClass?.rawValue == value
        case .type: return header(EnvelopeHeader.type) == value
        case .reason: return deadLetter.reason?.contains(value) ?? false
        case .partition: return Int64(entry.position.partition) == Int64(value)
        case .offset: return entry.position.offset == Int64(value)
        case .id: return header(EnvelopeHeader.id) == value
        case .correlation: return header(EnvelopeHeader.correlationID) == value
        }
    }
}
