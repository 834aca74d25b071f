import AgentBus
import Kafka

/// One agent's dead letters as its topics hold them now, each marked pending or redriven.
///
/// A dead letter is redriven when a record in one of the agent's retry topics
/// (`<agent>.retry.<delay>`) carries its position in `<agent>.dlt` in
/// ``RuntimeHeader/redrivenFrom``. The retry topics are the record of what was
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
    /// The agent's retry topics on the cluster, shortest delay first.
    public let retryTopics: [String]
    /// Where a redrive sends dead letters: the agent's retry topic with the shortest delay, where
    /// a redriven record (due at once) waits least behind others; nil when none exists.
    public var retryTopic: String? { retryTopics.first }
    /// In `<agent>.dlt` order: by partition, then offset.
    public let entries: [Entry]
    public let deadLetterTopicExists: Bool

    /// Classifies the dead letters of `agent` in `snapshot`, which must hold its dead-letter
    /// topic and its retry topics.
    package init(agent: String, snapshot: TopicSnapshot) {
        self.agent = agent
        deadLetterTopic = AgentTopics.deadLetter(of: agent)
        retryTopics = snapshot.records.keys.compactMap { topic in
            AgentTopics.retryTier(topic).flatMap { $0.agent == agent ? (topic, $0.delay) : nil }
        }.sorted { $0.1 < $1.1 }.map(\.0)
        deadLetterTopicExists = snapshot.exists(deadLetterTopic) && snapshot.records[deadLetterTopic] != nil
        var redriven: [String: RecordOrigin] = [:]
        for record in retryTopics.flatMap({ snapshot[$0] }) {
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

    /// Reads `<agent>.dlt` and every `<agent>.retry.<delay>` from the beginning to their current end.
    public static func read(agent: String, with reader: TopicSnapshotReader) async throws(KafkaError) -> DeadLetterInbox {
        let deadLetterTopic = AgentTopics.deadLetter(of: agent)
        let snapshot = try await reader.read(topicsWhere: { topic in
            topic == deadLetterTopic || AgentTopics.retryTier(topic)?.agent == agent
        })
        return DeadLetterInbox(agent: agent, snapshot: snapshot)
    }

    public var pending: [Entry] { entries.filter { !$0.isRedriven } }
    public var redriven: [Entry] { entries.filter(\.isRedriven) }
}
