import AgentBus
import Kafka

/// One agent's dead letters as its topics hold them now, each marked pending or redriven.
///
/// A dead letter is redriven when a record in `<agent>.retry` carries its position in
/// `<agent>.dlt` in ``RuntimeHeader/redrivenFrom``. The retry topic is the record of what was
/// redriven, so no state is kept anywhere else: whoever redrives (the CLI, a supervisor agent, a
/// Java tool writing the same header) is seen by every later reader, and redriving only pending
/// dead letters never sends one twice. (If retention deletes the retry record, its dead letter
/// reads as pending again.)
public struct DeadLetterInbox: Sendable {
    /// A dead letter and what became of it.
    public struct Entry: Sendable {
        public var deadLetter: DeadLetter
        /// Where the dead letter sits in `<agent>.dlt`.
        public var position: RecordOrigin
        /// The retry record that redrove it, or nil while it is pending.
        public var redrivenBy: RecordOrigin?

        public var isRedriven: Bool { redrivenBy != nil }
    }

    public let agent: String
    public let deadLetterTopic: String
    public let retryTopic: String
    /// In `<agent>.dlt` order: by partition, then offset.
    public let entries: [Entry]
    public let deadLetterTopicExists: Bool
    public let retryTopicExists: Bool

    /// Classifies the dead letters of `agent` in `snapshot`, which must hold both its topics.
    package init(agent: String, snapshot: TopicSnapshot) {
        self.agent = agent
        deadLetterTopic = AgentTopics.deadLetter(of: agent)
        retryTopic = AgentTopics.retry(of: agent)
        deadLetterTopicExists = snapshot.exists(deadLetterTopic)
        retryTopicExists = snapshot.exists(retryTopic)
        var redriven: [String: RecordOrigin] = [:]
        for record in snapshot[retryTopic] {
            guard let from = record.headers.string(named: RuntimeHeader.redrivenFrom) else { continue }
            // The first redrive of a dead letter counts; a later one would be a concurrent duplicate.
            if redriven[from] == nil {
                redriven[from] = RecordOrigin(topic: record.topic, partition: record.partition, offset: record.offset)
            }
        }
        entries = snapshot[deadLetterTopic].map { record in
            let position = RecordOrigin(topic: record.topic, partition: record.partition, offset: record.offset)
            return Entry(deadLetter: DeadLetter(record: record), position: position, redrivenBy: redriven[position.description])
        }
    }

    /// Reads `<agent>.dlt` and `<agent>.retry` from the beginning to their current end.
    public static func read(agent: String, with reader: TopicSnapshotReader) async throws(KafkaError) -> DeadLetterInbox {
        let snapshot = try await reader.read([AgentTopics.deadLetter(of: agent), AgentTopics.retry(of: agent)])
        return DeadLetterInbox(agent: agent, snapshot: snapshot)
    }

    public var pending: [Entry] { entries.filter { !$0.isRedriven } }
    public var redriven: [Entry] { entries.filter(\.isRedriven) }
}
