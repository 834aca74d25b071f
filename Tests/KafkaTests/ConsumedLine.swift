import Foundation

/// One line of `agentbus kafka consume --json`.
struct ConsumedLine {
    let object: [String: Any]

    init?(_ line: String) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return nil }
        self.object = object
    }

    var event: String? { object["event"] as? String }
    var isRecord: Bool { event == nil }
    var value: String? { object["value"] as? String }
    var partition: Int? { object["partition"] as? Int }
    var offset: Int? { object["offset"] as? Int }
    var partitions: [String] { object["partitions"] as? [String] ?? [] }
    var committedOffsets: [String: Int] { object["offsets"] as? [String: Int] ?? [:] }
}

extension Array where Element == String {
    var consumed: [ConsumedLine] { compactMap(ConsumedLine.init) }
    var records: [ConsumedLine] { consumed.filter(\.isRecord) }

    /// The partitions this consumer owns after the events printed so far.
    var currentAssignment: Set<String> {
        var owned: Set<String> = []
        for line in consumed {
            switch line.event {
            case "assigned": owned.formUnion(line.partitions)
            case "revoked": owned.subtract(line.partitions)
            default: break
            }
        }
        return owned
    }
}
