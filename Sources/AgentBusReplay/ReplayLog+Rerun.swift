import AgentBus
import Kafka

extension ReplayLog {
    /// Workflow `correlationID` as `agent` handled it, for a rerun of the agent's current
    /// handlers (`agentbus replay rerun`, `AgentRerun` in AgentBusTesting): the events it handled
    /// and those it published (first copies, in time order), its activity records (in the order
    /// they finished), and its effect-journal entries for the workflow (the latest of each key;
    /// not the handled markers).
    ///
    /// The journal entries are there only when the log was read with them
    /// (``ReplayJournalSelection``; a log saved with a correlation ID after such a read keeps
    /// them). An agent that handled nothing of the workflow gives a recording without handlings.
    ///
    /// - Throws: ``ReplayLogError`` when the log has no event of the workflow, or a saved log's
    ///   file cannot be read again.
    public func recordedWorkflow(_ correlationID: String, agent: String) throws(ReplayLogError) -> RecordedWorkflow {
        let symbols = index.symbols
        guard let correlation = symbols.lookup(correlationID), !eventsByCorrelation[correlation].isEmpty else {
            throw ReplayLogError("workflow \(correlationID) is not in the log")
        }
        let agentSymbol = symbols.lookup(agent)
        let activities = activitiesByCorrelation[correlation].map { index.activities[Int($0)] }
            .filter { $0.agent == agentSymbol && $0.event >= 0 }
            .sorted { $0.finishedAt < $1.finishedAt }
        let handlings = activities.map { activity in
            RecordedWorkflow.Handling(
                eventID: symbols[activity.event], outcome: activity.outcome, attempts: Int(activity.attempts),
                published: index.published[Int(activity.publishedStart)..<Int(activity.publishedStart + activity.publishedCount)]
                    .map { symbols[$0] })
        }

        // The events it handled, those they caused under its name, and those it says it published.
        let handled = Set(activities.map(\.event))
        var published: Set<Int32> = []
        for activity in activities {
            published.formUnion(index.published[Int(activity.publishedStart)..<Int(activity.publishedStart + activity.publishedCount)])
        }
        let source = symbols.lookup("/agents/\(agent)")
        let rows = eventsByCorrelation[correlation].filter { row in
            let event = index.events[Int(row)]
            return handled.contains(event.id) || published.contains(event.id)
                || (event.source == source && handled.contains(event.causation))
        }.sorted { (index.events[Int($0)].time, $0) < (index.events[Int($1)].time, $1) }
        var seen: Set<Int32> = []
        var events: [EventEnvelope] = []
        for row in rows where seen.insert(index.events[Int(row)].id).inserted {
            // A record the index took as an event but that does not read as one is a finding
            // of `replay lint` already; the rerun goes without it.
            let record = try store.record(index.events[Int(row)].record)
            if let envelope = try? EventEnvelope(record: record) { events.append(envelope) }
        }

        var journal: [String: RecordedWorkflow.JournalEntry] = [:]
        var order: [String] = []
        if let topic = symbols.lookup(AgentTopics.journal(of: agent)) {
            for row in journalByCorrelation[correlation] where index.journal[Int(row)].topic == topic {
                let record = try store.record(index.journal[Int(row)].record)
                guard let entry = Self.journalEntry(record) else { continue }
                let key = "\(entry.eventID)/\(entry.effect)"
                if journal.updateValue(entry, forKey: key) == nil { order.append(key) }
            }
        }
        return RecordedWorkflow(
            agent: agent, correlationID: correlationID, events: events, handlings: handlings,
            journal: order.map { journal[$0]! })
    }

    /// A journal record as an entry; nil for a handled marker or a record that is not an entry.
    private static func journalEntry(_ record: KafkaRecord) -> RecordedWorkflow.JournalEntry? {
        guard let key = record.key?.validUTF8String, let slash = key.lastIndex(of: "/") else { return nil }
        let effect = record.headers.string(named: EffectHeader.effect) ?? String(key[key.index(after: slash)...])
        guard effect != EffectJournal.handledMarker, !effect.isEmpty else { return nil }
        return RecordedWorkflow.JournalEntry(
            eventID: String(key[..<slash]), effect: effect, result: record.value.array,
            modelCall: record.headers[EffectHeader.modelCall]?.array ?? [])
    }
}
