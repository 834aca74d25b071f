import AgentBus

/// One record of a `<agent>.dlt` topic, as symbols and numbers.
struct IndexedDeadLetter: Sendable {
    /// ``ReplaySymbols/none`` when the dead-lettered record was not a readable event (poison).
    var event: Int32
    var correlation: Int32
    var agent: Int32
    var failureClass: FailureClass?
    var reason: Int32
    var attempts: Int32
    /// The dead letter's Kafka timestamp, ms since 1970.
    var failedAt: Int64
    var topic: Int32
    var partition: Int32
    var offset: Int64
    var record: Int32
}
