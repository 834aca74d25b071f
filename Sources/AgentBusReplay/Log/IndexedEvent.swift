import AgentBus

/// One event record of the log, as symbols and numbers: what the graph needs, 100-odd bytes.
struct IndexedEvent: Sendable {
    var id: Int32
    var correlation: Int32
    /// ``ReplaySymbols/none`` for a root.
    var causation: Int32
    var type: Int32
    var source: Int32
    var topic: Int32
    var partition: Int32
    var hops: Int32
    var offset: Int64
    /// `ce_time`, else the Kafka timestamp, in ms since 1970.
    var time: Int64
    var traceParent: TraceParent?
    /// A hash of what makes two copies the same event (type, source, cause, payload), but not
    /// `ce_time`: outputs redone after a crash carry a new time but are the same event.
    var digest: UInt32
    /// Which record of the log it is, to read it back whole (redrive, save).
    var record: Int32
}
