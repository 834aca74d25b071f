import JSONSchema

extension RerunOutcome {
    /// The first line's `format`.
    static let jsonLinesFormat = "agentbus-rerun-outcomes"

    /// The outcomes of a rerun as JSON Lines: what an agent executable started with `--rerun`
    /// writes to standard output for `agentbus replay rerun` to compare.
    ///
    ///     {"format":"agentbus-rerun-outcomes","version":1,"agent":"scorer","correlationId":"…"}
    ///     {"input":"…","type":"…","outputs":[{"key":…,"headers":[…],"value":"…"}],"error":null}
    package static func jsonLines(_ outcomes: [RerunOutcome], agent: String, correlationID: String) -> [UInt8] {
        var lines: [JSONValue] = [
            .object(JSONObject([
                "format": .string(jsonLinesFormat), "version": .number(JSONNumber(1)), "agent": .string(agent),
                "correlationId": .string(correlationID),
            ]))
        ]
        for outcome in outcomes {
            lines.append(.object(JSONObject([
                "input": .string(outcome.eventID), "type": .string(outcome.type),
                "outputs": .array(outcome.outputs.map(RerunJSON.event)), "error": outcome.error.map(JSONValue.string) ?? .null,
            ])))
        }
        return Array(lines.map { $0.jsonText + "\n" }.joined().utf8)
    }

    /// Reads ``jsonLines(_:agent:correlationID:)``; `source` names the input in messages.
    ///
    /// - Throws: ``RerunError`` naming the line that does not read.
    package static func read(jsonLines bytes: [UInt8], source: String) throws(RerunError) -> [RerunOutcome] {
        let lines = RerunJSON.lines(bytes)
        guard let first = lines.first else { throw RerunError("\(source) wrote nothing") }
        try RerunJSON.header(try RerunJSON.line(first.text, number: first.number, of: source), format: jsonLinesFormat, of: source)
        var outcomes: [RerunOutcome] = []
        for (number, text) in lines.dropFirst() {
            let object = try RerunJSON.line(text, number: number, of: source)
            guard let input = object["input"]?.stringValue, let type = object["type"]?.stringValue else {
                throw RerunError("\(source), line \(number): an outcome needs an input and a type")
            }
            var outputs: [EventEnvelope] = []
            for output in object["outputs"]?.arrayValue ?? [] {
                do { outputs.append(try RerunJSON.envelope(from: output)) } catch {
                    throw RerunError("\(source), line \(number): \(error.message)")
                }
            }
            outcomes.append(RerunOutcome(eventID: input, type: type, outputs: outputs, error: object["error"]?.stringValue))
        }
        return outcomes
    }
}
