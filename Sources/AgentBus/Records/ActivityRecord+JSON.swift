import JSONSchema

extension ActivityRecord {
    /// The record as compact JSON, as written to `agentbus.activity` (one per handled event):
    /// one object whose keys are the property names, nil fields left out, written without
    /// Foundation.
    public var jsonBytes: [UInt8] {
        var writer = JSONBytesWriter()
        writer.field("agent", agent)
        writer.field("instance", instance)
        writer.field("eventId", eventId)
        writer.field("type", type)
        writer.field("source", source)
        writer.field("correlationId", correlationId)
        writer.field("causationId", causationId)
        writer.field("topic", topic)
        writer.field("partition", Int64(partition))
        writer.field("offset", offset)
        writer.field("receivedAt", receivedAt)
        writer.field("startedAt", startedAt)
        writer.field("finishedAt", finishedAt)
        writer.field("outcome", outcome.rawValue)
        writer.field("attempts", attempts)
        writer.field("published", published)
        writer.field("failureClass", failureClass?.rawValue)
        writer.field("error", error)
        if !modelCalls.isEmpty { writer.field("modelCalls", json: modelCalls.map(\.jsonBytes)) }
        return writer.finish()
    }

    /// Reads an activity record as ``jsonBytes`` writes it (unknown keys are ignored).
    ///
    /// Replay reads `agentbus.activity` with its own index, which keeps only what its views use;
    /// this reads a whole record, for tools and tests.
    ///
    /// - Throws: ``RuntimeRecordError`` when the bytes are not a JSON object or a field is
    ///   missing or of the wrong type.
    public init(json bytes: some Collection<UInt8>) throws(RuntimeRecordError) {
        let fields = try RuntimeRecordFields(bytes, kind: "activity record")
        self.init(
            agent: try fields.string("agent"), instance: try fields.string("instance"),
            eventId: try fields.optionalString("eventId"), type: try fields.optionalString("type"),
            source: try fields.optionalString("source"), correlationId: try fields.optionalString("correlationId"),
            causationId: try fields.optionalString("causationId"), topic: try fields.string("topic"),
            partition: try fields.integer("partition", as: Int32.self), offset: try fields.integer("offset"),
            receivedAt: try fields.integer("receivedAt"), startedAt: try fields.integer("startedAt"),
            finishedAt: try fields.integer("finishedAt"), outcome: try fields.value("outcome", as: Outcome.self),
            attempts: try fields.integer("attempts", as: Int.self), published: try fields.strings("published"),
            failureClass: try fields.optionalValue("failureClass", as: FailureClass.self),
            error: try fields.optionalString("error"),
            modelCalls: try fields.objects("modelCalls").map { (call) throws(RuntimeRecordError) in
                try ModelCallRecord(fields: call)
            })
    }
}
