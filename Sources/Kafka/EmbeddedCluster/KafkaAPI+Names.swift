extension KafkaAPI {
    /// The request types by the names `agentbus dev-broker`'s control socket takes
    /// (`request-errors produce ...`).
    public static let byName: [String: KafkaAPI] = [
        "produce": .produce, "fetch": .fetch, "list-offsets": .listOffsets, "metadata": .metadata,
        "offset-commit": .offsetCommit, "offset-fetch": .offsetFetch, "find-coordinator": .findCoordinator,
        "join-group": .joinGroup, "heartbeat": .heartbeat, "sync-group": .syncGroup, "init-producer-id": .initProducerID,
    ]

    /// The request type called `name` (one of ``byName``'s keys) or numbered `name` (an API key,
    /// 0 to 100); nil for anything else.
    public init?(name: String) {
        if let api = Self.byName[name] {
            self = api
        } else if let key = Int16(name), (0...100).contains(key) {
            self.init(key: key)
        } else {
            return nil
        }
    }
}

extension KafkaInjectedError {
    /// The injectable errors by the names `agentbus dev-broker`'s control socket takes
    /// (`request-errors produce not-leader-for-partition,request-timed-out`).
    public static let byName: [String: KafkaInjectedError] = [
        "not-leader-for-partition": .notLeaderForPartition, "request-timed-out": .requestTimedOut,
        "leader-not-available": .leaderNotAvailable, "coordinator-not-available": .coordinatorNotAvailable,
        "not-coordinator": .notCoordinator, "not-enough-replicas": .notEnoughReplicas,
        "topic-authorization-failed": .topicAuthorizationFailed,
    ]

    /// The error called `name` (one of ``byName``'s keys) or numbered `name` (a Kafka protocol
    /// error code, 1 to 200); nil for anything else.
    public init?(name: String) {
        if let error = Self.byName[name] {
            self = error
        } else if let code = Int32(name), (1...200).contains(code) {
            self.init(code: code)
        } else {
            return nil
        }
    }
}
