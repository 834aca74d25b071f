import AgentBus
@_spi(ParsedDocument) import JSONSchema
import Kafka

/// The records of a replay log, sorted into events, activity records, dead letters, retries and
/// registry entries, as compact rows of symbols: built in one pass over the records, whatever
/// their source (a consumer, a saved file), so both give the same answers.
struct ReplayIndex: Sendable {
    var symbols = ReplaySymbols()
    var events: [IndexedEvent] = []
    var activities: [IndexedActivity] = []
    var deadLetters: [IndexedDeadLetter] = []
    var retries: [IndexedRetry] = []
    /// Effect-journal records that name a workflow, to carry with it (for reruns).
    var journal: [IndexedJournalEntry] = []
    /// The published-ID lists of all activity records, back to back.
    var published: [Int32] = []
    /// The model calls of all activity records, back to back.
    var modelCalls: [IndexedModelCall] = []
    /// The newest registry record of each agent: when it was written and the types it consumes.
    var registry: [Int32: (time: Int64, consumes: [Int32])] = [:]
    /// The record numbers of every registry record, saved with any one workflow.
    var registryRecords: [Int32] = []
    /// Records that could not be read, in the order met (at most ``problemDetailLimit`` kept in
    /// full; the rest are counted).
    var problems: [ReplayInputProblem] = []
    var problemCount = 0
    /// Records on event topics without CloudEvents headers, per topic: another producer's data.
    var foreignRecords: [Int32: Int] = [:]
    var recordCount: Int32 = 0
    /// The newest Kafka timestamp of any record, ms since 1970.
    var latestTimestamp: Int64 = 0

    static let problemDetailLimit = 1_000

    private var topicKinds: [Int32: TopicKind] = [:]

    /// What a topic holds, decided from its name.
    enum TopicKind {
        case events, activity, registry, heartbeats, deadLetters, retries
        /// An agent's effect journal: carried with its workflows, not part of their graphs.
        case journal
        /// The runtime's own bookkeeping: timers not fired yet, state, control records. A timer
        /// record carries its future event's headers, but that event exists only once it fires.
        case bookkeeping
    }

    // MARK: Adding records

    /// Indexes one record; `number` is its position in the log, to read it back later.
    mutating func add(_ record: KafkaRecord, number: Int32) {
        recordCount = max(recordCount, number + 1)
        if let timestamp = record.timestamp?.millisecondsSince1970, timestamp > latestTimestamp {
            latestTimestamp = timestamp
        }
        var topicName = record.topic
        let topic = topicName.withUTF8 { symbols.intern(UnsafeRawBufferPointer($0)) }
        switch kind(ofTopic: topic) {
        case .events: addEvent(record, topic: topic, number: number)
        case .activity: addActivity(record, number: number)
        case .registry:
            registryRecords.append(number)
            addRegistry(record)
        case .deadLetters: addDeadLetter(record, topic: topic, number: number)
        case .retries: addRetry(record, topic: topic, number: number)
        case .journal:
            // Entries without the header (a tombstone) belong to no workflow.
            if let correlation = header(record, EffectHeader.correlationID) {
                journal.append(IndexedJournalEntry(correlation: correlation, topic: topic, record: number))
            }
        case .heartbeats, .bookkeeping: break
        }
    }

    mutating func noteProblem(_ location: String, correlationID: String? = nil, _ message: String) {
        problemCount += 1
        if problems.count < Self.problemDetailLimit {
            problems.append(ReplayInputProblem(location: location, correlationID: correlationID, message: message))
        }
    }

    private mutating func kind(ofTopic topic: Int32) -> TopicKind {
        if let known = topicKinds[topic] { return known }
        let name = symbols[topic]
        let kind: TopicKind
        switch name {
        case AgentTopics.activity: kind = .activity
        case AgentTopics.registry: kind = .registry
        case AgentTopics.heartbeats: kind = .heartbeats
        case AgentTopics.control: kind = .bookkeeping
        default:
            if name.hasSuffix(".journal") {
                kind = .journal
            } else if AgentTopics.isAgentBookkeeping(name) {
                kind = .bookkeeping
            } else if name.hasSuffix(".dlt") {
                kind = .deadLetters
            } else if AgentTopics.retryTier(name) != nil || name.hasSuffix(".retry") {
                // `<agent>.retry`: the single retry topic of logs saved before the delay tiers.
                kind = .retries
            } else {
                kind = .events
            }
        }
        topicKinds[topic] = kind
        return kind
    }

    private static func location(_ record: KafkaRecord) -> String {
        "\(record.topic)/\(record.partition)/\(record.offset)"
    }

    /// The symbol of header `name`'s last value; nil when absent, null or empty.
    private mutating func header(_ record: KafkaRecord, _ name: String) -> Int32? {
        guard let value = record.headers[name], value.count > 0 else { return nil }
        return value.withUnsafeBytes { symbols.intern($0) }
    }

    private mutating func addEvent(_ record: KafkaRecord, topic: Int32, number: Int32) {
        let headers = record.headers
        guard headers.lastIndex(named: EnvelopeHeader.specVersion) != nil else {
            foreignRecords[topic, default: 0] += 1
            return
        }
        guard let id = header(record, EnvelopeHeader.id) else {
            return noteProblem(Self.location(record), "event without a ce_id header")
        }
        guard let type = header(record, EnvelopeHeader.type), let source = header(record, EnvelopeHeader.source) else {
            return noteProblem(
                Self.location(record), correlationID: symbols.string(header(record, EnvelopeHeader.correlationID) ?? id),
                "event \(symbols[id]) lacks a ce_type or ce_source header")
        }
        let correlation = header(record, EnvelopeHeader.correlationID) ?? id
        let causation = header(record, EnvelopeHeader.causationID) ?? ReplaySymbols.none
        var time = record.timestamp?.millisecondsSince1970 ?? 0
        if let value = headers[EnvelopeHeader.time] {
            if let parsed = value.withUnsafeBytes({ EventTime.parse($0.assumingMemoryBound(to: UInt8.self)) }) {
                time = parsed
            } else {
                noteProblem(
                    Self.location(record), correlationID: symbols.string(correlation),
                    "event \(symbols[id]): ce_time \"\(value.string)\" is not an RFC 3339 time (the Kafka timestamp is used)")
            }
        }
        let hops = headers.string(named: EnvelopeHeader.hops).flatMap { Int32($0) } ?? 0
        let traceParent = headers[EnvelopeHeader.traceParent].flatMap { value in
            value.withUnsafeBytes { TraceParent.parse($0.assumingMemoryBound(to: UInt8.self)) }
        }
        var digest = UInt32(truncatingIfNeeded: type) &* 0x9E37_79B1
        digest ^= UInt32(truncatingIfNeeded: source) &* 0x85EB_CA77
        digest ^= UInt32(bitPattern: causation) &* 0xC2B2_AE3D
        digest ^= record.value.withUnsafeBytes { ReplaySymbols.hash($0) }
        events.append(IndexedEvent(
            id: id, correlation: correlation, causation: causation, type: type, source: source, topic: topic,
            partition: record.partition, hops: hops, offset: record.offset, time: time, traceParent: traceParent,
            digest: digest, record: number))
    }

    private mutating func addDeadLetter(_ record: KafkaRecord, topic: Int32, number: Int32) {
        let letter = DeadLetter(record: record)
        let agentName = letter.agent ?? String(record.topic.dropLast(".dlt".count))
        let id = header(record, EnvelopeHeader.id) ?? ReplaySymbols.none
        let correlation = header(record, EnvelopeHeader.correlationID) ?? id
        deadLetters.append(IndexedDeadLetter(
            event: id, correlation: correlation, agent: symbols.intern(agentName), failureClass: letter.failureClass,
            reason: letter.reason.map { symbols.intern($0) } ?? ReplaySymbols.none,
            attempts: Int32(letter.attempts ?? -1),
            failedAt: record.timestamp?.millisecondsSince1970 ?? 0, topic: topic, partition: record.partition,
            offset: record.offset, record: number))
    }

    private mutating func addRetry(_ record: KafkaRecord, topic: Int32, number: Int32) {
        guard let id = header(record, EnvelopeHeader.id) else {
            return noteProblem(Self.location(record), "retry record without a ce_id header")
        }
        let correlation = header(record, EnvelopeHeader.correlationID) ?? id
        let agent = symbols.intern(AgentTopics.retryTier(record.topic)?.agent ?? String(record.topic.dropLast(".retry".count)))
        retries.append(IndexedRetry(event: id, correlation: correlation, agent: agent, record: number))
    }

    private mutating func addActivity(_ record: KafkaRecord, number: Int32) {
        let parsed: Result<IndexedActivity?, JSONParseError> = record.value.withUnsafeBytes { bytes in
            Result { () throws(JSONParseError) in
                try JSONDocument.withParsed(bytes.assumingMemoryBound(to: UInt8.self)) { document in
                    activity(from: document, number: number)
                }
            }
        }
        guard case .success(let activity) = parsed else {
            return noteProblem(Self.location(record), "activity record is not JSON")
        }
        guard let activity else {
            return noteProblem(Self.location(record), "activity record lacks agent, outcome or times")
        }
        activities.append(activity)
    }

    private mutating func activity(from document: JSONDocument, number: Int32) -> IndexedActivity? {
        guard document[0].kind == .object else { return nil }
        var agent = ReplaySymbols.none, instance = ReplaySymbols.none, event = ReplaySymbols.none
        var correlation = ReplaySymbols.none, topic = ReplaySymbols.none, error = ReplaySymbols.none
        var outcome: ActivityRecord.Outcome?
        var failureClass: FailureClass?
        var attempts: Int32 = 0, partition: Int32 = 0
        var offset: Int64 = 0, receivedAt: Int64?, startedAt: Int64?, finishedAt: Int64?
        let publishedStart = Int32(published.count)
        let modelCallStart = Int32(modelCalls.count)
        var member = 1
        for _ in 0..<Int(document[0].length) {
            let valueIndex = member + 1
            let value = document[valueIndex]
            let next = Int(value.kind == .object || value.kind == .array ? value.end : UInt32(valueIndex + 1))
            func string() -> Int32 {
                value.kind == .string ? document.withString(valueIndex) { symbols.intern(UnsafeRawBufferPointer($0)) } : ReplaySymbols.none
            }
            func integer() -> Int64? { value.kind == .number ? Int64(exactly: document.number(valueIndex)) : nil }
            let key = document.withString(member) { String(decoding: $0, as: UTF8.self) }
            switch key {
            case "agent": agent = string()
            case "instance": instance = string()
            case "eventId": event = string()
            case "correlationId": correlation = string()
            case "topic": topic = string()
            case "partition": partition = Int32(clamping: integer() ?? 0)
            case "offset": offset = integer() ?? 0
            case "receivedAt": receivedAt = integer()
            case "startedAt": startedAt = integer()
            case "finishedAt": finishedAt = integer()
            case "attempts": attempts = Int32(clamping: integer() ?? 0)
            case "outcome":
                outcome = value.kind == .string ? ActivityRecord.Outcome(rawValue: document.string(valueIndex)) : nil
            case "failureClass":
                failureClass = value.kind == .string ? FailureClass(rawValue: document.string(valueIndex)) : nil
            case "error": error = string()
            case "published" where value.kind == .array:
                var element = valueIndex + 1
                for _ in 0..<Int(value.length) {
                    if document[element].kind == .string {
                        published.append(document.withString(element) { symbols.intern(UnsafeRawBufferPointer($0)) })
                    }
                    element = Int(document[element].kind == .object || document[element].kind == .array ? document[element].end : UInt32(element + 1))
                }
            case "modelCalls" where value.kind == .array:
                var element = valueIndex + 1
                for _ in 0..<Int(value.length) {
                    if document[element].kind == .object { modelCalls.append(modelCall(from: document, at: element)) }
                    element = Int(document[element].kind == .object || document[element].kind == .array ? document[element].end : UInt32(element + 1))
                }
            default: break
            }
            member = next
        }
        guard agent >= 0, let outcome, let receivedAt, let startedAt, let finishedAt else {
            published.removeSubrange(Int(publishedStart)...)
            modelCalls.removeSubrange(Int(modelCallStart)...)
            return nil
        }
        return IndexedActivity(
            agent: agent, instance: instance, event: event, correlation: correlation >= 0 ? correlation : event,
            outcome: outcome, failureClass: failureClass, attempts: attempts, receivedAt: receivedAt,
            startedAt: startedAt, finishedAt: finishedAt, publishedStart: publishedStart,
            publishedCount: Int32(published.count) - publishedStart,
            modelCallStart: modelCallStart, modelCallCount: Int32(modelCalls.count) - modelCallStart, error: error,
            topic: topic, partition: partition, offset: offset, record: number)
    }

    /// One element of an activity record's `modelCalls`, as ``ModelCallRecord/jsonBytes`` writes
    /// it. A field that is missing or of the wrong type reads as empty, 0 or false (so a call
    /// without `journaled` is counted every time it is listed, never dropped).
    private mutating func modelCall(from document: JSONDocument, at index: Int) -> IndexedModelCall {
        var call = IndexedModelCall(
            effect: ReplaySymbols.none, provider: ReplaySymbols.none, requestModel: ReplaySymbols.none,
            responseModel: ReplaySymbols.none, inputTokens: 0, outputTokens: 0, latencyMilliseconds: 0, cost: 0,
            journaled: false, replayed: false)
        var member = index + 1
        for _ in 0..<Int(document[index].length) {
            let valueIndex = member + 1
            let value = document[valueIndex]
            let next = Int(value.kind == .object || value.kind == .array ? value.end : UInt32(valueIndex + 1))
            func string() -> Int32 {
                value.kind == .string ? document.withString(valueIndex) { symbols.intern(UnsafeRawBufferPointer($0)) } : ReplaySymbols.none
            }
            func integer() -> Int64 { value.kind == .number ? Int64(exactly: document.number(valueIndex)) ?? 0 : 0 }
            let key = document.withString(member) { String(decoding: $0, as: UTF8.self) }
            switch key {
            case "effect": call.effect = string()
            case "provider": call.provider = string()
            case "requestModel": call.requestModel = string()
            case "responseModel": call.responseModel = string()
            case "inputTokens": call.inputTokens = Int(clamping: integer())
            case "outputTokens": call.outputTokens = Int(clamping: integer())
            case "latencyMs": call.latencyMilliseconds = integer()
            case "cost":
                let cost = value.kind == .number ? document.number(valueIndex) : 0
                call.cost = cost.isFinite ? cost : 0
            case "journaled": call.journaled = value.kind == .true
            case "replayed": call.replayed = value.kind == .true
            default: break
            }
            member = next
        }
        return call
    }

    private mutating func addRegistry(_ record: KafkaRecord) {
        let time = record.timestamp?.millisecondsSince1970 ?? 0
        let entry: (agent: String, consumes: [String])? = record.value.withUnsafeBytes { bytes in
            try? JSONDocument.withParsed(bytes.assumingMemoryBound(to: UInt8.self)) { document in
                guard case .object(let object) = document.value() else { return nil }
                guard case .string(let agent)? = object["agent"] else { return nil }
                var consumes: [String] = []
                if case .array(let types)? = object["consumes"] {
                    for case .string(let type) in types { consumes.append(type) }
                }
                return (agent, consumes)
            } ?? nil
        }
        guard let entry else {
            return noteProblem(Self.location(record), "registry record is not an AgentBus registry entry")
        }
        let agent = symbols.intern(entry.agent)
        if let known = registry[agent], known.time > time { return }
        registry[agent] = (time, entry.consumes.map { symbols.intern($0) })
    }
}
