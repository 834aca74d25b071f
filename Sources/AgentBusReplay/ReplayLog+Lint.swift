import AgentBus

extension ReplayLog {
    /// What replay noticed about the input itself: records it could not read, other producers'
    /// records, and partitions whose oldest records the brokers had already deleted.
    public var inputFindings: [ReplayFinding] {
        var findings: [ReplayFinding] = []
        for problem in index.problems {
            findings.append(ReplayFinding(
                kind: .malformedRecord, correlationID: problem.correlationID, eventID: nil,
                message: "\(problem.location): \(problem.message)",
                cause: "a producer wrote a record AgentBus cannot read, or a saved log was damaged or cut short",
                fix: "look at the record (agentbus kafka consume, or the saved line); fix its producer, or drop the damaged lines"))
        }
        if index.problemCount > index.problems.count {
            findings.append(ReplayFinding(
                kind: .malformedRecord, correlationID: nil, eventID: nil,
                message: "\(index.problemCount - index.problems.count) more unreadable records not listed",
                cause: "many records share a problem", fix: "fix the first ones listed; the rest likely have the same cause"))
        }
        for (topic, count) in index.foreignRecords.sorted(by: { index.symbols[$0.key] < index.symbols[$1.key] }) {
            findings.append(ReplayFinding(
                kind: .malformedRecord, correlationID: nil, eventID: nil,
                message: "\(index.symbols[topic]): \(count) record(s) without CloudEvents headers (no ce_specversion)",
                cause: "a producer other than AgentBus writes to this topic, or writes structured-mode or plain records",
                fix: "publish with agentbus publish or EventPublisher (binary-mode ce_ headers), or keep foreign data on topics of its own"))
        }
        // Dead letters of records that were not readable events belong to no workflow; lint all
        // must still show them.
        for letter in index.deadLetters where letter.event < 0 {
            findings.append(ReplayFinding(
                kind: .deadLettered, correlationID: nil, eventID: nil,
                message: "\(index.symbols[letter.topic])/\(letter.partition)/\(letter.offset) holds a record that is not an event: \(index.symbols.string(letter.reason) ?? "no reason recorded")",
                cause: Self.deadLetterCause(letter.failureClass),
                fix: "see agentbus dlt show \(index.symbols[letter.agent]); fix or drop its producer's records (a redrive would fail again)"))
        }
        findings += retentionFindings
        return findings
    }

    /// One finding per topic whose oldest records were gone when it was read.
    var retentionFindings: [ReplayFinding] {
        var lost: [String: [ReplayPartitionRange]] = [:]
        for range in metadata.partitions where range.lostToRetention { lost[range.topic, default: []].append(range) }
        return lost.keys.sorted().map { topic in
            let ranges = lost[topic]!.sorted { $0.partition < $1.partition }
            let detail = ranges.map { "partition \($0.partition) starts at offset \($0.low)" }.joined(separator: ", ")
            let cause = metadata.embeddedCluster
                ? "the embedded cluster keeps at most 5 MiB (or 100,000 batches) per partition and drops the oldest records"
                : "the topic's retention (retention.ms or retention.bytes) deleted the oldest records"
            let fix = metadata.embeddedCluster
                ? "replay sooner after a run, save runs with agentbus replay --save, or use more partitions; causes missing from the log show up as orphans"
                : "replay within the retention period, save runs with agentbus replay --save, or raise the topic's retention"
            return ReplayFinding(
                kind: .retention, correlationID: nil, eventID: nil,
                message: "\(topic): older records were deleted before this read (\(detail))", cause: cause, fix: fix)
        }
    }

    /// Checks one workflow, or all of them (`nil`), and returns every finding, each with its
    /// cause and fix. Checking all includes ``inputFindings``; checking one includes the input
    /// findings about that workflow, and retention findings when it has missing causes.
    public func lint(_ correlationID: String?, options: ReplayOptions = ReplayOptions()) -> [ReplayFinding] {
        var findings: [ReplayFinding] = []
        if let correlationID {
            guard let correlation = index.symbols.lookup(correlationID), !eventsByCorrelation[correlation].isEmpty else {
                return []
            }
            let graph = WorkflowGraph(correlation: correlation, log: self, options: options)
            lint(graph, options: options, into: &findings)
            findings += inputFindings.filter { $0.correlationID == correlationID }
            let missingCauses = graph.nodes.contains { $0.cause == .missing } || !graph.strayActivities.isEmpty
                || !graph.strayDeadLetters.isEmpty
            if missingCauses { findings += retentionFindings }
        } else {
            for correlation in correlationSymbols {
                lint(WorkflowGraph(correlation: correlation, log: self, options: options), options: options, into: &findings)
            }
            findings += inputFindings
        }
        return findings
    }

    private func describe(_ row: Int32) -> String {
        let event = index.events[Int(row)]
        return "\(index.symbols[event.type]) \(index.symbols[event.id])"
    }

    private func lint(_ graph: WorkflowGraph, options: ReplayOptions, into findings: inout [ReplayFinding]) {
        let symbols = index.symbols
        let correlation = symbols[graph.correlation]
        func add(_ kind: ReplayFinding.Kind, _ row: Int32?, _ message: String, cause: String, fix: String) {
            findings.append(ReplayFinding(
                kind: kind, correlationID: correlation, eventID: row.map { symbols[index.events[Int($0)].id] },
                message: message, cause: cause, fix: fix))
        }

        let causeless = graph.nodes.indices.filter { graph.nodes[$0].cause == .none }
        if causeless.count > 1 {
            let list = causeless.prefix(5).map { describe(graph.nodes[$0].event) }.joined(separator: ", ")
            add(.severalRoots, nil, "\(causeless.count) events have no cause: \(list)\(causeless.count > 5 ? ", ..." : "")",
                cause: "more than one event was published as a root under this correlation ID (a client reusing --correlation-id, or an agent publishing outside a handler)",
                fix: "give each new workflow its own correlation ID, and publish follow-up events from a handler with context.publish so they carry their cause")
        }
        for (position, node) in graph.nodes.enumerated() {
            let event = index.events[Int(node.event)]
            switch node.cause {
            case .missing:
                add(.orphan, node.event, "\(describe(node.event)) names cause \(symbols[event.causation]), which is not in the log",
                    cause: "the cause was published before the range read (--since), was deleted by retention, or its producer set ce_causationid to an ID it never published",
                    fix: "read from earlier (--since) or replay sooner; if the cause never existed, fix the producer to set ce_causationid from the handled event (context.publish does)")
            case .otherWorkflow(let other):
                add(.correlationBreak, node.event,
                    "\(describe(node.event)) is caused by \(symbols[event.causation]) of workflow \(symbols[other]), not of this one",
                    cause: "a producer started a new correlation ID while handling an event of another workflow",
                    fix: "publish from the handler with context.publish, which inherits the correlation ID, or copy ce_correlationid from the handled event")
            case .node(let parent):
                let parentTime = index.events[Int(graph.nodes[parent].event)].time
                if event.time + options.skewTolerance < parentTime, !graph.cyclic.contains(position) {
                    add(.effectBeforeCause, node.event,
                        "\(describe(node.event)) is timed \(parentTime - event.time) ms before its cause \(describe(graph.nodes[parent].event))",
                        cause: "the producers' clocks disagree by more than the tolerance (\(options.skewTolerance) ms), or a producer set ce_time by hand",
                        fix: "synchronise the hosts' clocks (chrony/NTP); raise --skew if this much skew is expected")
                }
            case .none:
                break
            }
            if let first = firstEventOfID(event.id), index.events[Int(first)].correlation != graph.correlation {
                add(.duplicateID, node.event,
                    "\(describe(node.event)) shares its ID with an event of workflow \(symbols[index.events[Int(first)].correlation])",
                    cause: "two producers generated the same ce_id (a fixed or reused ID instead of a fresh UUID)",
                    fix: "let AgentBus generate IDs (EventID.random) or make the producer's IDs unique per source")
            }
            for copy in node.differingCopies {
                let other = index.events[Int(copy)]
                add(.duplicateID, node.event,
                    "\(describe(node.event)) was published again as a different event (\(symbols[other.type]) at \(symbols[other.topic])/\(other.partition)/\(other.offset))",
                    cause: "a producer reused an ID for new content; consumers deduplicating by ce_source and ce_id will drop the second one",
                    fix: "give every new event a new ID; only an identical retry of the same event may reuse one")
            }
            for (slot, row) in node.deadLetters.enumerated() where !node.resolved[slot] {
                let letter = index.deadLetters[Int(row)]
                let failure = letter.failureClass.map { " (\($0.rawValue))" } ?? ""
                add(.deadLettered, node.event,
                    "\(describe(node.event)) is in \(symbols[letter.topic])\(failure): \(symbols.string(letter.reason) ?? "no reason recorded")",
                    cause: Self.deadLetterCause(letter.failureClass),
                    fix: "see agentbus dlt show \(symbols[letter.agent]); fix the cause, then agentbus dlt redrive \(symbols[letter.agent])")
            }
        }
        for position in graph.cycleBreaks {
            let members = graph.cyclic.filter { graph.nodes[$0].cause != .none }.prefix(5)
                .map { describe(graph.nodes[$0].event) }.joined(separator: " → ")
            add(.cycle, graph.nodes[position].event, "causation loops: \(members)",
                cause: "events name each other (or themselves) as cause, which no real sequence of handlings produces: a producer set ce_causationid by hand",
                fix: "set ce_causationid only to the ID of the event being handled (context.publish does)")
        }
        if graph.status == .stalled {
            for node in graph.nodes where node.status == .awaiting || node.status == .retrying {
                let event = index.events[Int(node.event)]
                let waitingFor = node.status == .retrying
                    ? "a retry" : node.awaitedBy.map { symbols[$0] }.joined(separator: ", ")
                add(.stalled, node.event,
                    "workflow stopped without a terminal event: \(describe(node.event)) has waited for \(waitingFor) since \(EventTime(millisecondsSinceEpoch: event.time))",
                    cause: node.status == .retrying
                        ? "the event sits in a retry topic and its agent has not taken it back (stopped, or still backing off)"
                        : "no instance of the consuming agent ran since the event was published, or it is far behind",
                    fix: "agentbus agents shows which instances are alive; start the agent, or look at its lag and logs")
            }
        }
        for row in graph.strayActivities {
            let activity = index.activities[Int(row)]
            findings.append(ReplayFinding(
                kind: .orphan, correlationID: correlation, eventID: symbols.string(activity.event),
                message: "\(symbols[activity.agent]) handled \(symbols.string(activity.event) ?? "a record") (\(activity.outcome.rawValue)), but the event is not in the log",
                cause: "the event was read from outside the range (--since), deleted by retention, or was not a readable event",
                fix: "read from earlier (--since) or replay sooner"))
        }
        for row in graph.strayDeadLetters {
            let letter = index.deadLetters[Int(row)]
            findings.append(ReplayFinding(
                kind: .deadLettered, correlationID: correlation, eventID: symbols.string(letter.event),
                message: "\(symbols[letter.topic])/\(letter.partition)/\(letter.offset) holds \(symbols.string(letter.event) ?? "a record") whose event is not in the log: \(symbols.string(letter.reason) ?? "")",
                cause: Self.deadLetterCause(letter.failureClass),
                fix: "see agentbus dlt show \(symbols[letter.agent]); fix the cause, then agentbus dlt redrive \(symbols[letter.agent])"))
        }
    }

    private static func deadLetterCause(_ failureClass: FailureClass?) -> String {
        switch failureClass {
        case .transient?: "the handler kept failing until its retries ran out (a dependency down for longer than the retry policy covers)"
        case .permanent?: "the handler refused the event with a non-retryable error"
        case .poison?: "the record could not be read as an event (missing ce_ headers, not JSON)"
        case .schema?: "the payload does not match its type's schema"
        case .budget?: "the event went past the hop limit: agents triggering each other in a loop"
        case nil: "the agent gave up on the event"
        }
    }
}
