import JSONSchema

extension RerunDiff {
    /// The diff for people, as `agentbus replay rerun` prints it: a line per event rerun, then
    /// one per output (`=` unchanged, `~` changed with a line per field, `+` added, `-` removed,
    /// with the payload of the last two), `!` for an event whose rerun did not finish, and a
    /// closing count.
    ///
    ///     test.agentbus.work.v1 0190f3a1-…
    ///       ~ test.agentbus.done.v1 5c1f…
    ///           ~ seq: 0 → 1
    ///     outputs: 0 unchanged, 1 changed, 0 added, 0 removed; 0 errors
    public var text: String {
        var lines = ["rerun of \(agent.oneLine) on workflow \(correlationID.oneLine): \(Self.count(inputs.count, "event"))"]
        for input in inputs {
            lines.append("\(input.type.oneLine) \(input.eventID.oneLine)")
            if let error = input.error { lines.append("  ! \(error.oneLine)") }
            for output in input.outputs {
                let name = "\(output.type.oneLine) \(output.id.oneLine)"
                switch output.change {
                case .unchanged:
                    lines.append("  = \(name)")
                case .changed(let fields):
                    lines.append("  ~ \(name)")
                    for field in fields { lines.append("      \(field.description.oneLine)") }
                case .added:
                    lines.append("  + \(name)")
                    lines.append("      \(Self.payload(output.now))")
                case .removed:
                    lines.append("  - \(name)")
                    lines.append("      \(Self.payload(output.recorded))")
                }
            }
            for id in input.unrecorded {
                lines.append("  ? \(id.oneLine): published in the recording but not in the log, so not compared")
            }
            if input.outputs.isEmpty && input.error == nil && input.unrecorded.isEmpty {
                lines.append("  (no outputs, then or now)")
            }
        }
        let counts = counts
        lines.append(
            "outputs: \(counts.unchanged) unchanged, \(counts.changed) changed, \(counts.added) added, \(counts.removed) removed; "
                + Self.count(errors.count, "error"))
        return lines.joined(separator: "\n")
    }

    private static func count(_ number: Int, _ noun: String) -> String { "\(number) \(noun)\(number == 1 ? "" : "s")" }

    /// An output's payload on one line, cut at 200 characters.
    private static func payload(_ envelope: EventEnvelope?) -> String {
        guard let envelope else { return "" }
        let text = ((try? JSONValue(parsing: envelope.data))?.jsonText ?? String(decoding: envelope.data, as: UTF8.self)).oneLine
        return text.count > 200 ? String(text.prefix(200)) + "…" : text
    }
}
