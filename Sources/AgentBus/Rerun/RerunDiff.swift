import JSONSchema

/// What a rerun changed: per event the agent handled in the recording, its outputs then and
/// now, matched by event ID (output IDs are derived from the input's ID, the agent, the type
/// and the output's index or name, so the same handling publishes the same IDs).
///
/// An output with the same ID, type and payload (equal as JSON) is unchanged; with the same ID
/// and another type or payload, changed (with the fields that differ); an ID only the rerun
/// published is added, one only the recording has is removed.
public struct RerunDiff: Sendable {
    public var agent: String
    public var correlationID: String
    /// One per event rerun, in the order recorded.
    public var inputs: [Input]

    /// One recorded event and what became of its outputs.
    public struct Input: Sendable {
        public var eventID: String
        public var type: String
        /// Why the rerun of this event did not finish (``RerunOutcome/error``): its recorded
        /// outputs are then all ``Change/removed``.
        public var error: String?
        public var outputs: [Output]
        /// Outputs the recorded handling lists as published that are not in the recording (its
        /// retention dropped them, say): not compared.
        public var unrecorded: [String]

        /// True when some output was changed, added or removed.
        public var hasDifferences: Bool { outputs.contains { $0.change != .unchanged } }
    }

    /// One output, matched by ID.
    public struct Output: Sendable {
        public var id: String
        /// The rerun's type; the recorded one for a removed output.
        public var type: String
        public var change: Change
        public var recorded: EventEnvelope?
        public var now: EventEnvelope?
    }

    public enum Change: Sendable, Equatable {
        case unchanged
        /// Same ID, another type or payload: the fields that differ.
        case changed([FieldChange])
        /// Published by the rerun only.
        case added
        /// Published in the recording only.
        case removed
    }

    /// One field of a payload that differs, by its path (`score`, `items[2].name`; `type` for
    /// the event's type, an empty path for a payload that is not JSON).
    public struct FieldChange: Sendable, Equatable, CustomStringConvertible {
        public var path: String
        /// Nil when the rerun added the field.
        public var recorded: JSONValue?
        /// Nil when the rerun removed the field.
        public var now: JSONValue?

        public init(path: String, recorded: JSONValue?, now: JSONValue?) {
            self.path = path
            self.recorded = recorded
            self.now = now
        }

        /// `~ path: old → new`, `+ path: new` or `- path: old`.
        public var description: String {
            let name = path.isEmpty ? "(payload)" : path
            switch (recorded, now) {
            case (nil, let now?): return "+ \(name): \(now.jsonText)"
            case (let recorded?, nil): return "- \(name): \(recorded.jsonText)"
            default: return "~ \(name): \(recorded?.jsonText ?? "") → \(now?.jsonText ?? "")"
            }
        }
    }

    /// Compares what `outcomes` published with what `recording` holds, input by input.
    public init(recording: RecordedWorkflow, outcomes: [RerunOutcome]) {
        agent = recording.agent
        correlationID = recording.correlationID
        var outcomeByID: [String: RerunOutcome] = [:]
        for outcome in outcomes { outcomeByID[outcome.eventID] = outcome }
        inputs = recording.inputs.map { input in
            let recorded = recording.recordedOutputs(of: input)
            let outcome = outcomeByID[input.event.id]
                ?? RerunOutcome(eventID: input.event.id, type: input.event.type, outputs: [], error: "the rerun did not report this event")
            var now: [String: EventEnvelope] = [:]
            for output in outcome.outputs { now[output.id] = now[output.id] ?? output }
            var outputs: [Output] = recorded.events.map { old in
                guard let new = now[old.id] else {
                    return Output(id: old.id, type: old.type, change: .removed, recorded: old, now: nil)
                }
                let changes = Self.changes(from: old, to: new)
                return Output(
                    id: old.id, type: new.type, change: changes.isEmpty ? .unchanged : .changed(changes), recorded: old,
                    now: new)
            }
            let recordedIDs = Set(recorded.events.map(\.id))
            var added: Set<String> = []
            for new in outcome.outputs where !recordedIDs.contains(new.id) && added.insert(new.id).inserted {
                outputs.append(Output(id: new.id, type: new.type, change: .added, recorded: nil, now: new))
            }
            return Input(
                eventID: input.event.id, type: input.event.type, error: outcome.error, outputs: outputs,
                unrecorded: recorded.missing.filter { now[$0] == nil })
        }
    }

    /// True when some output of some input was changed, added or removed.
    public var hasDifferences: Bool { inputs.contains(where: \.hasDifferences) }

    /// The inputs whose rerun did not finish.
    public var errors: [Input] { inputs.filter { $0.error != nil } }

    /// How many outputs were unchanged, changed, added and removed.
    public var counts: (unchanged: Int, changed: Int, added: Int, removed: Int) {
        var counts = (unchanged: 0, changed: 0, added: 0, removed: 0)
        for output in inputs.flatMap(\.outputs) {
            switch output.change {
            case .unchanged: counts.unchanged += 1
            case .changed: counts.changed += 1
            case .added: counts.added += 1
            case .removed: counts.removed += 1
            }
        }
        return counts
    }

    static func changes(from old: EventEnvelope, to new: EventEnvelope) -> [FieldChange] {
        var changes: [FieldChange] = []
        if old.type != new.type { changes.append(FieldChange(path: "type", recorded: .string(old.type), now: .string(new.type))) }
        guard old.data != new.data else { return changes }
        if let recorded = try? JSONValue(parsing: old.data), let now = try? JSONValue(parsing: new.data) {
            JSONFieldDiff.append(from: recorded, to: now, path: "", into: &changes)
        } else {
            changes.append(FieldChange(
                path: "", recorded: .string(String(decoding: old.data, as: UTF8.self)),
                now: .string(String(decoding: new.data, as: UTF8.self))))
        }
        return changes
    }
}
