import JSONSchema

extension RerunDiff {
    /// The diff for scripts (`agentbus replay rerun --format json`): the same content as
    /// ``text``, with payloads as JSON.
    ///
    ///     {"agent":"…","correlationId":"…","differences":true,"errors":0,
    ///      "counts":{"unchanged":0,"changed":1,"added":0,"removed":0},
    ///      "inputs":[{"eventId":"…","type":"…","error":null,"unrecorded":[],
    ///                 "outputs":[{"id":"…","type":"…","change":"changed",
    ///                             "fields":[{"path":"seq","recorded":0,"now":1}]}]}]}
    ///
    /// A field the rerun added has no `recorded`; one it removed has no `now`. Added and
    /// removed outputs carry their payload as `data`.
    public var json: JSONValue {
        let counts = counts
        return .object(JSONObject([
            "agent": .string(agent), "correlationId": .string(correlationID), "differences": .bool(hasDifferences),
            "errors": .number(JSONNumber(errors.count)),
            "counts": .object(JSONObject([
                "unchanged": .number(JSONNumber(counts.unchanged)), "changed": .number(JSONNumber(counts.changed)),
                "added": .number(JSONNumber(counts.added)), "removed": .number(JSONNumber(counts.removed)),
            ])),
            "inputs": .array(inputs.map { input in
                .object(JSONObject([
                    "eventId": .string(input.eventID), "type": .string(input.type),
                    "error": input.error.map(JSONValue.string) ?? .null,
                    "unrecorded": .array(input.unrecorded.map(JSONValue.string)),
                    "outputs": .array(input.outputs.map(Self.json)),
                ]))
            }),
        ]))
    }

    private static func json(_ output: Output) -> JSONValue {
        var object = JSONObject(["id": .string(output.id), "type": .string(output.type)])
        switch output.change {
        case .unchanged:
            object["change"] = .string("unchanged")
        case .changed(let fields):
            object["change"] = .string("changed")
            object["fields"] = .array(fields.map { field in
                var member = JSONObject(["path": .string(field.path)])
                if let recorded = field.recorded { member["recorded"] = recorded }
                if let now = field.now { member["now"] = now }
                return .object(member)
            })
        case .added:
            object["change"] = .string("added")
            object["data"] = data(output.now)
        case .removed:
            object["change"] = .string("removed")
            object["data"] = data(output.recorded)
        }
        return .object(object)
    }

    private static func data(_ envelope: EventEnvelope?) -> JSONValue {
        guard let envelope else { return .null }
        return (try? JSONValue(parsing: envelope.data)) ?? .string(String(decoding: envelope.data, as: UTF8.self))
    }
}
