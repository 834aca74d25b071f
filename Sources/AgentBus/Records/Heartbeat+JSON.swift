import JSONSchema

extension Heartbeat {
    /// The heartbeat as compact JSON, as written to `agentbus.heartbeats`: one object whose keys
    /// are the property names, written without Foundation.
    public var jsonBytes: [UInt8] {
        var writer = JSONBytesWriter(capacity: 384)
        writer.field("agent", agent)
        writer.field("instance", instance)
        writer.field("version", version)
        writer.field("host", host)
        writer.field("pid", Int64(pid))
        writer.field("status", status.rawValue)
        writer.field("startedAt", startedAt)
        writer.field("time", time)
        writer.field("intervalMs", intervalMs)
        writer.field("handled", handled)
        writer.field("failed", failed)
        writer.field("retried", retried)
        writer.field("deadLettered", deadLettered)
        writer.field("duplicates", duplicates)
        writer.field("lag", lag)
        writer.field("inFlight", inFlight)
        writer.field("abandoned", abandoned)
        writer.field("partitions", partitions)
        if !circuits.isEmpty { writer.field("circuits", circuits) }
        return writer.finish()
    }

    /// Reads a heartbeat as ``jsonBytes`` writes it (unknown keys are ignored).
    ///
    /// - Throws: ``RuntimeRecordError`` when the bytes are not a JSON object or a field is
    ///   missing or of the wrong type.
    public init(json bytes: some Collection<UInt8>) throws(RuntimeRecordError) {
        let fields = try RuntimeRecordFields(bytes, kind: "heartbeat")
        self.init(
            agent: try fields.string("agent"), instance: try fields.string("instance"),
            version: try fields.string("version"), host: try fields.string("host"),
            pid: try fields.integer("pid", as: Int32.self), status: try fields.value("status", as: Status.self),
            startedAt: try fields.integer("startedAt"), time: try fields.integer("time"),
            intervalMs: try fields.integer("intervalMs"), handled: try fields.integer("handled", as: Int.self),
            failed: try fields.integer("failed", as: Int.self), retried: try fields.integer("retried", as: Int.self),
            deadLettered: try fields.integer("deadLettered", as: Int.self),
            duplicates: try fields.integer("duplicates", as: Int.self), lag: try fields.integer("lag"),
            inFlight: try fields.integer("inFlight", as: Int.self), partitions: try fields.strings("partitions"),
            abandoned: Int(clamping: try fields.optionalInteger("abandoned") ?? 0),
            circuits: try fields.optionalStrings("circuits") ?? [])
    }
}
