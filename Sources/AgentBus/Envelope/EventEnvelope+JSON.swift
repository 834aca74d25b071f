import JSONSchema

extension EventEnvelope {
    /// The event in CloudEvents' JSON format (attribute names without the `ce_` prefix), plus
    /// AgentBus's attributes and the Kafka key: what `tail --json` prints and event logs store.
    /// Extension attributes are grouped under `extensions`, so none can shadow an attribute. A
    /// payload that is not JSON appears as a string.
    package var jsonValue: JSONValue {
        var object = JSONObject([
            "specversion": .string(EnvelopeHeader.supportedSpecVersion),
            "id": .string(id),
            "source": .string(source),
            "type": .string(type),
        ])
        if let time { object["time"] = .string(time.description) }
        if let dataSchema { object["dataschema"] = .string(dataSchema) }
        if let contentType { object["datacontenttype"] = .string(contentType) }
        object["correlationid"] = .string(correlationID)
        if let causationID { object["causationid"] = .string(causationID) }
        if let traceParent { object["traceparent"] = .string(traceParent.description) }
        if let traceState { object["tracestate"] = .string(traceState) }
        object["hops"] = .number(JSONNumber(hops))
        if !extensions.isEmpty {
            object["extensions"] = .object(JSONObject(members: extensions.keys.sorted().map {
                JSONObject.Member(key: String($0.dropFirst(3)), value: .string(extensions[$0]!))
            }))
        }
        object["key"] = key.map(JSONValue.string) ?? .null
        object["data"] = (try? JSONValue(parsing: data)) ?? .string(String(decoding: data, as: UTF8.self))
        return .object(object)
    }
}
