#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import AgentBus
import Kafka

/// The event log replay works from: every record read from the cluster (or a saved log),
/// indexed so any workflow can be rebuilt, listed, linted, saved or redriven.
///
/// Built in one pass over the records, whatever their source, into rows of symbols (see
/// ``ReplaySymbols``), then grouped by correlation ID. A workflow's graph is built only when
/// asked for, so a log of a million events needs memory for its rows, not for a million graphs
/// of strings.
public final class ReplayLog: Sendable {
    public let metadata: ReplayLogMetadata
    let index: ReplayIndex
    let store: ReplayRecordStore
    let eventsByCorrelation: ReplayGrouping
    let activitiesByCorrelation: ReplayGrouping
    let deadLettersByCorrelation: ReplayGrouping
    let retriesByCorrelation: ReplayGrouping
    let journalByCorrelation: ReplayGrouping
    /// The first event row of each ID symbol, or -1.
    private let eventOfID: [Int32]
    /// For each type symbol that some registered agent consumes: those agents, sorted by name.
    private let consumersByType: [Int32: [Int32]]
    /// Correlation symbols that have at least one event, earliest workflow first.
    let correlationSymbols: [Int32]

    /// Indexes records read from Kafka, which it keeps (for `--save` and `redrive`). They are
    /// put in topic, partition and offset order first, so the same records give the same log
    /// however they arrived.
    public convenience init(records: [KafkaRecord], metadata: ReplayLogMetadata) {
        let sorted = records.sorted { a, b in
            if a.topic != b.topic { return a.topic < b.topic }
            if a.partition != b.partition { return a.partition < b.partition }
            return a.offset < b.offset
        }
        var index = ReplayIndex()
        for (number, record) in sorted.enumerated() { index.add(record, number: Int32(number)) }
        self.init(index: index, store: .memory(sorted), metadata: metadata)
    }

    init(index: ReplayIndex, store: ReplayRecordStore, metadata: ReplayLogMetadata) {
        self.index = index
        self.store = store
        self.metadata = metadata
        let symbolCount = index.symbols.count
        eventsByCorrelation = ReplayGrouping(count: index.events.count, symbolCount: symbolCount) {
            index.events[$0].correlation
        }
        activitiesByCorrelation = ReplayGrouping(count: index.activities.count, symbolCount: symbolCount) {
            index.activities[$0].correlation
        }
        deadLettersByCorrelation = ReplayGrouping(count: index.deadLetters.count, symbolCount: symbolCount) {
            index.deadLetters[$0].correlation
        }
        retriesByCorrelation = ReplayGrouping(count: index.retries.count, symbolCount: symbolCount) {
            index.retries[$0].correlation
        }
        journalByCorrelation = ReplayGrouping(count: index.journal.count, symbolCount: symbolCount) {
            index.journal[$0].correlation
        }
        var eventOfID = [Int32](repeating: -1, count: symbolCount)
        var firstTime: [Int32: Int64] = [:]
        for (row, event) in index.events.enumerated() {
            if eventOfID[Int(event.id)] < 0 { eventOfID[Int(event.id)] = Int32(row) }
            if let known = firstTime[event.correlation], known <= event.time { continue }
            firstTime[event.correlation] = event.time
        }
        self.eventOfID = eventOfID
        correlationSymbols = firstTime.keys.sorted { a, b in
            let x = firstTime[a]!, y = firstTime[b]!
            return x != y ? x < y : index.symbols[a] < index.symbols[b]
        }
        var consumers: [Int32: [Int32]] = [:]
        for (agent, entry) in index.registry {
            for type in entry.consumes { consumers[type, default: []].append(agent) }
        }
        consumersByType = consumers.mapValues { agents in agents.sorted { index.symbols[$0] < index.symbols[$1] } }
    }

    // MARK: What the log holds

    /// Records read, of every kind.
    public var recordCount: Int { Int(index.recordCount) }
    /// Event records read (copies included).
    public var eventCount: Int { index.events.count }
    /// The correlation IDs of every workflow with at least one event, earliest first.
    public var correlationIDs: [String] { correlationSymbols.map { index.symbols[$0] } }

    /// "Now" for deciding whether a waiting workflow stalled: when the log was read.
    var readAt: Int64 { metadata.readAt > 0 ? metadata.readAt : index.latestTimestamp }

    func firstEventOfID(_ id: Int32) -> Int32? {
        guard id >= 0, Int(id) < eventOfID.count else { return nil }
        let row = eventOfID[Int(id)]
        return row >= 0 ? row : nil
    }

    func consumers(ofType type: Int32) -> [Int32] { consumersByType[type] ?? [] }

    /// The workflow an event belongs to.
    public func correlationID(ofEvent eventID: String) -> String? {
        guard let id = index.symbols.lookup(eventID), let row = firstEventOfID(id) else { return nil }
        return index.symbols[index.events[Int(row)].correlation]
    }

    // MARK: Workflows

    /// The workflow with `correlationID`, or nil when the log has no event of it.
    public func workflow(_ correlationID: String, options: ReplayOptions = ReplayOptions()) -> ReplayWorkflow? {
        guard let correlation = index.symbols.lookup(correlationID), !eventsByCorrelation[correlation].isEmpty else {
            return nil
        }
        return materialize(WorkflowGraph(correlation: correlation, log: self, options: options))
    }

    /// One line per workflow, earliest first.
    public func summaries(options: ReplayOptions = ReplayOptions()) -> [ReplayWorkflowSummary] {
        correlationSymbols.map { correlation in
            let graph = WorkflowGraph(correlation: correlation, log: self, options: options)
            let rootNode = graph.roots.first { graph.nodes[$0].cause == .none } ?? 0
            let rootType = graph.nodes.isEmpty ? "" : index.symbols[index.events[Int(graph.nodes[rootNode].event)].type]
            return ReplayWorkflowSummary(
                correlationID: index.symbols[correlation], rootType: rootType, startedAt: graph.start,
                endedAt: graph.end, eventCount: graph.nodes.count,
                deadLetterCount: graph.nodes.reduce(0) { $0 + $1.deadLetters.count }, status: graph.status,
                modelTotals: modelTotals(of: graph))
        }
    }

    private func materialize(_ graph: WorkflowGraph) -> ReplayWorkflow {
        let symbols = index.symbols
        let breaks = Set(graph.cycleBreaks)
        let nodes = graph.nodes.enumerated().map { position, node -> ReplayNode in
            let event = index.events[Int(node.event)]
            var parent: Int?
            if case .node(let cause) = node.cause, !breaks.contains(position) { parent = cause }
            let handlings = node.handlings.map { row -> ReplayHandling in
                let activity = index.activities[Int(row)]
                let published = index.published[Int(activity.publishedStart)..<Int(activity.publishedStart + activity.publishedCount)]
                return ReplayHandling(
                    agent: symbols[activity.agent], instance: symbols[activity.instance], outcome: activity.outcome,
                    receivedAt: activity.receivedAt, startedAt: activity.startedAt, finishedAt: activity.finishedAt,
                    attempts: Int(activity.attempts), published: published.map { symbols[$0] },
                    failureClass: activity.failureClass, error: symbols.string(activity.error),
                    modelCalls: modelCalls(of: activity))
            }
            let deadLetters = zip(node.deadLetters, node.resolved).map { row, resolved -> ReplayDeadLetter in
                let letter = index.deadLetters[Int(row)]
                return ReplayDeadLetter(
                    agent: symbols[letter.agent], failureClass: letter.failureClass,
                    reason: symbols.string(letter.reason) ?? "", attempts: letter.attempts >= 0 ? Int(letter.attempts) : nil,
                    failedAt: letter.failedAt, topic: symbols[letter.topic], partition: letter.partition,
                    offset: letter.offset, resolved: resolved)
            }
            return ReplayNode(
                id: symbols[event.id], type: symbols[event.type], source: symbols[event.source], time: event.time,
                topic: symbols[event.topic], partition: event.partition, offset: event.offset, hops: Int(event.hops),
                causationID: symbols.string(event.causation), parent: parent, children: node.children,
                traceParent: event.traceParent, handlings: handlings, deadLetters: deadLetters, retries: node.retries,
                copies: node.copies, awaitedBy: node.awaitedBy.map { symbols[$0] }, status: node.status)
        }
        var unreadable: [String] = []
        for row in graph.strayActivities {
            let activity = index.activities[Int(row)]
            let event = symbols.string(activity.event) ?? "an unreadable record"
            unreadable.append(
                "\(symbols[activity.agent]) recorded \(activity.outcome.rawValue) for \(event) at \(symbols[activity.topic])/\(activity.partition)/\(activity.offset), which is not in the log")
        }
        for row in graph.strayDeadLetters {
            let letter = index.deadLetters[Int(row)]
            let event = symbols.string(letter.event) ?? "an unreadable record"
            unreadable.append(
                "\(symbols[letter.topic])/\(letter.partition)/\(letter.offset) holds \(event), which is not in the log: \(symbols.string(letter.reason) ?? "")")
        }
        return ReplayWorkflow(
            correlationID: symbols[graph.correlation], nodes: nodes, roots: graph.roots, status: graph.status,
            startedAt: graph.start, endedAt: graph.end, unreadable: unreadable)
    }

    // MARK: Records

    /// The recorded event-topic records of `eventID`, and with `subtree`, of every event it
    /// caused, directly or not: parents before children (for `replay redrive`).
    public func eventRecords(from eventID: String, subtree: Bool) throws(ReplayLogError) -> [KafkaRecord] {
        guard let id = index.symbols.lookup(eventID), let row = firstEventOfID(id) else {
            throw ReplayLogError("event \(eventID) is not in the log")
        }
        var rows = [row]
        if subtree {
            let graph = WorkflowGraph(correlation: index.events[Int(row)].correlation, log: self, options: ReplayOptions())
            guard let start = graph.nodes.firstIndex(where: { $0.event == row }) else { return [try store.record(row)] }
            rows = []
            var queue = [start]
            var seen: Set<Int> = [start]
            while !queue.isEmpty {
                let position = queue.removeFirst()
                rows.append(graph.nodes[position].event)
                for child in graph.nodes[position].children where seen.insert(child).inserted { queue.append(child) }
            }
        }
        var records: [KafkaRecord] = []
        for row in rows { records.append(try store.record(index.events[Int(row)].record)) }
        return records
    }

    /// Writes the log as JSON Lines (see ``ReplayLogFormat``): everything, or only the records
    /// of one workflow (its events, activity records, dead letters, retries and effect-journal
    /// entries) and the registry. Reading the file back gives the same answers, and the same
    /// reruns.
    public func write(to path: String, correlationID: String?) throws(ReplayLogError) {
        var numbers: [Int32]
        if let correlationID {
            guard let correlation = index.symbols.lookup(correlationID), !eventsByCorrelation[correlation].isEmpty else {
                throw ReplayLogError("workflow \(correlationID) is not in the log")
            }
            numbers = eventsByCorrelation[correlation].map { index.events[Int($0)].record }
            numbers += activitiesByCorrelation[correlation].map { index.activities[Int($0)].record }
            numbers += deadLettersByCorrelation[correlation].map { index.deadLetters[Int($0)].record }
            numbers += retriesByCorrelation[correlation].map { index.retries[Int($0)].record }
            numbers += journalByCorrelation[correlation].map { index.journal[Int($0)].record }
            numbers += index.registryRecords
            numbers.sort()
        } else {
            numbers = Array(0..<index.recordCount)
        }
        let writer = try ReplayLogWriter(path: path, metadata: metadata)
        for number in numbers { try writer.append(try store.record(number)) }
        try writer.finish()
    }
}
