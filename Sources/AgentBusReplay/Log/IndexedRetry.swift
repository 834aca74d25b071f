import AgentBus

/// One record of a retry topic (`<agent>.retry.<delay>`): an event waiting for another attempt, or redriven.
struct IndexedRetry: Sendable {
    var event: Int32
    var correlation: Int32
    var agent: Int32
    var record: Int32
}
