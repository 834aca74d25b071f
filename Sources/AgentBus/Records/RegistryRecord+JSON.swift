import JSONSchema

extension RegistryRecord {
    /// The record as compact JSON, as written to `agentbus.registry`: one object whose keys are
    /// the property names, written without Foundation.
    public var jsonBytes: [UInt8] {
        var writer = JSONBytesWriter()
        writer.field("agent", agent)
        writer.field("version", version)
        writer.field("consumes", consumes)
        writer.field("produces", produces)
        writer.field("capabilities", capabilities)
        writer.field("topics", topics)
        writer.field("instance", instance)
        writer.field("time", time)
        return writer.finish()
    }

    /// Reads a registry record as ``jsonBytes`` writes it (unknown keys are ignored).
    ///
    /// - Throws: ``RuntimeRecordError`` when the bytes are not a JSON object or a field is
    ///   missing or of the wrong type.
    public init(json bytes: some Collection<UInt8>) throws(RuntimeRecordError) {
        let fields = try RuntimeRecordFields(bytes, kind: "registry record")
        self.init(
            agent: try fields.string("agent"), version: try fields.string("version"),
            consumes: try fields.strings("consumes"), produces: try fields.strings("produces"),
            capabilities: try fields.strings("capabilities"), topics: try fields.strings("topics"),
            instance: try fields.string("instance"), time: try fields.integer("time"))
    }
}
