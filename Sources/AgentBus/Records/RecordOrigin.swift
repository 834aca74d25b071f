/// Where an event was first read, as `topic/partition/offset`: kept across retries so a dead
/// letter names the event topic rather than a retry topic.
public struct RecordOrigin: Sendable, Hashable, CustomStringConvertible {
    public var topic: String
    public var partition: Int32
    public var offset: Int64

    public init(topic: String, partition: Int32, offset: Int64) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
    }

    /// Parses `topic/partition/offset` (topic names cannot hold `/`).
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, let partition = Int32(parts[1]), let offset = Int64(parts[2]) else {
            return nil
        }
        self.init(topic: String(parts[0]), partition: partition, offset: offset)
    }

    public var description: String { "\(topic)/\(partition)/\(offset)" }
}
