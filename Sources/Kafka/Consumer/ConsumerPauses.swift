/// Which partitions a consumer keeps paused at librdkafka, and for whom.
///
/// Two parties pause partitions: the user (``KafkaConsumer/pause(_:)``, the runtime's
/// per-partition backpressure) and flow control (the polling thread, while the reader is behind).
/// A partition stays paused while either wants it: flow control never resumes one the user
/// paused, and a user's resume waits for flow control to let go.
///
/// Each change returns the partitions to pause or resume at librdkafka; the caller makes that
/// call under the same lock as the change, so calls reach librdkafka in the order decided here.
struct ConsumerPauses: Sendable {
    /// Paused by the user until the user resumes them or they are revoked.
    private(set) var byUser: Set<KafkaTopicPartition> = []
    /// Paused by flow control; empty while ``isFlowPaused`` is false.
    private(set) var byFlow: Set<KafkaTopicPartition> = []
    /// True from ``pauseForFlow(assignment:)`` to ``resumeAfterFlow()``.
    private(set) var isFlowPaused = false
    /// Resumed by the user, and not yet made to fetch by the polling thread (see
    /// `ConsumerCore.fetchUserResumed()`).
    private(set) var awaitingFetch: Set<KafkaTopicPartition> = []

    /// The user pauses `partitions`: all of them are paused (again, if flow control holds them).
    mutating func pauseForUser(_ partitions: [KafkaTopicPartition]) -> [KafkaTopicPartition] {
        byUser.formUnion(partitions)
        return partitions
    }

    /// The user resumes `partitions`: resumed now, unless flow control holds every partition back,
    /// in which case they resume with the others.
    mutating func resumeForUser(_ partitions: [KafkaTopicPartition]) -> [KafkaTopicPartition] {
        byUser.subtract(partitions)
        guard isFlowPaused else {
            awaitingFetch.formUnion(partitions)
            return partitions
        }
        byFlow.formUnion(partitions)
        return []
    }

    /// The partitions the user resumed that are still resumed, to be made to fetch now; forgets
    /// them. Those flow control has paused since are made to fetch when it resumes them.
    mutating func takeAwaitingFetch() -> [KafkaTopicPartition] {
        defer { awaitingFetch = [] }
        return awaitingFetch.subtracting(byUser).subtracting(byFlow).sorted()
    }

    /// The reader is behind: pause what is assigned, except what the user holds already.
    mutating func pauseForFlow(assignment: Set<KafkaTopicPartition>) -> [KafkaTopicPartition] {
        guard !isFlowPaused else { return [] }
        isFlowPaused = true
        byFlow = assignment.subtracting(byUser)
        return byFlow.sorted()
    }

    /// The reader caught up: resume what flow control paused and the user did not.
    mutating func resumeAfterFlow() -> [KafkaTopicPartition] {
        guard isFlowPaused else { return [] }
        isFlowPaused = false
        defer { byFlow = [] }
        return byFlow.subtracting(byUser).sorted()
    }

    /// librdkafka starts newly assigned partitions unpaused: while the reader is behind, they
    /// are paused too.
    mutating func assigned(_ partitions: [KafkaTopicPartition]) -> [KafkaTopicPartition] {
        guard isFlowPaused else { return [] }
        byFlow.formUnion(partitions)
        return partitions
    }

    /// `partitions` are being revoked: they forget every pause, and those paused at librdkafka
    /// are returned to be resumed (librdkafka would keep them paused into a later assignment).
    mutating func revoked(_ partitions: [KafkaTopicPartition]) -> [KafkaTopicPartition] {
        let revoked = Set(partitions)
        let paused = byUser.union(byFlow).intersection(revoked)
        byUser.subtract(revoked)
        byFlow.subtract(revoked)
        awaitingFetch.subtract(revoked)
        return paused.sorted()
    }
}
