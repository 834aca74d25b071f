import JSONSchema

extension RecordedWorkflow {
    /// The first line's `format`.
    static let jsonLinesFormat = "agentbus-rerun-recording"

    /// The recording as JSON Lines: what `agentbus replay rerun` writes to an agent executable
    /// started with `--rerun -`.
    ///
    ///     {"format":"agentbus-rerun-recording","version":1,"agent":"scorer","correlationId":"…"}
    ///     {"event":{"key":"a-17","headers":[["ce_id","…"],…],"value":"{\"amount\":1200}"}}
    ///     {"handling":{"eventId":"…","outcome":"ok","attempts":1,"published":["…"]}}
    ///     {"journal":{"eventId":"…","effect":"chat-0","result":"{…}","modelCall":"{…}"}}
    ///
    /// Events are in their Kafka form; bytes that are not UTF-8 are `{"base64": …}`.
    package var jsonLines: [UInt8] {
        var lines: [JSONValue] = [
            .object(JSONObject([
                "format": .string(Self.jsonLinesFormat), "version": .number(JSONNumber(1)), "agent": .string(agent),
                "correlationId": .string(correlationID),
            ]))
        ]
        for event in events { lines.append(.object(JSONObject(["event": RerunJSON.event(event)]))) }
        for handling in handlings {
            lines.append(.object(JSONObject([
                "handling": .object(JSONObject([
                    "eventId": .string(handling.eventID), "outcome": .string(handling.outcome.rawValue),
                    "attempts": .number(JSONNumber(handling.attempts)), "published": .array(handling.published.map(JSONValue.string)),
                ]))
            ])))
        }
        for entry in journal {
            lines.append(.object(JSONObject([
                "journal": .object(JSONObject([
                    "eventId": .string(entry.eventID), "effect": .string(entry.effect),
                    "result": RerunJSON.bytes(entry.result), "modelCall": RerunJSON.bytes(entry.modelCall),
                ]))
            ])))
        }
        return Array(lines.map { $0.jsonText + "\n" }.joined().utf8)
    }

    /// Reads ``jsonLines``; `source` names the input in messages (a path, `standard input`).
    ///
    /// - Throws: ``RerunError`` naming the line that does not read.
    package init(jsonLines bytes: [UInt8], source: String) throws(RerunError) {
        let lines = RerunJSON.lines(bytes)
        guard let first = lines.first else { throw RerunError("\(source) is empty: not a recorded workflow") }
        let header = try RerunJSON.line(first.text, number: first.number, of: source)
        try RerunJSON.header(header, format: Self.jsonLinesFormat, of: source)
        guard let agent = header["agent"]?.stringValue, let correlationID = header["correlationId"]?.stringValue else {
            throw RerunError("\(source), line \(first.number): the header names no agent or correlationId")
        }
        var events: [EventEnvelope] = []
        var handlings: [Handling] = []
        var journal: [JournalEntry] = []
        for (number, text) in lines.dropFirst() {
            let object = try RerunJSON.line(text, number: number, of: source)
            func failure(_ message: String) -> RerunError { RerunError("\(source), line \(number): \(message)") }
            if let event = object["event"] {
                do { events.append(try RerunJSON.envelope(from: event)) } catch { throw failure(error.message) }
            } else if case .object(let handling)? = object["handling"] {
                guard let eventID = handling["eventId"]?.stringValue,
                    let outcome = handling["outcome"]?.stringValue.flatMap(ActivityRecord.Outcome.init(rawValue:))
                else { throw failure("a handling needs an eventId and a known outcome") }
                let attempts = handling["attempts"]?.numberValue.map { Int($0.value) } ?? 1
                let published = (handling["published"]?.arrayValue ?? []).compactMap(\.stringValue)
                handlings.append(Handling(eventID: eventID, outcome: outcome, attempts: attempts, published: published))
            } else if case .object(let entry)? = object["journal"] {
                guard let eventID = entry["eventId"]?.stringValue, let effect = entry["effect"]?.stringValue else {
                    throw failure("a journal entry needs an eventId and an effect")
                }
                do {
                    journal.append(JournalEntry(
                        eventID: eventID, effect: effect, result: try RerunJSON.bytes(from: entry["result"], "result"),
                        modelCall: try RerunJSON.bytes(from: entry["modelCall"], "modelCall")))
                } catch {
                    throw failure(error.message)
                }
            } else {
                throw failure("neither an event, a handling nor a journal entry")
            }
        }
        self.init(agent: agent, correlationID: correlationID, events: events, handlings: handlings, journal: journal)
    }
}
