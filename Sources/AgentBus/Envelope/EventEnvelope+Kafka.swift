import Foundation
import Kafka

extension EventEnvelope {
    /// The Kafka headers of this event, in a fixed order: the CloudEvents attributes, then
    /// AgentBus's, then extensions sorted by name. Each name appears once.
    public var kafkaHeaders: [KafkaHeader] {
        var headers: [KafkaHeader] = []
        headers.reserveCapacity(12 + extensions.count)
        headers.append(KafkaHeader(name: EnvelopeHeader.specVersion, value: EnvelopeHeader.supportedSpecVersion))
        headers.append(KafkaHeader(name: EnvelopeHeader.id, value: id))
        headers.append(KafkaHeader(name: EnvelopeHeader.source, value: source))
        headers.append(KafkaHeader(name: EnvelopeHeader.type, value: type))
        if let time { headers.append(KafkaHeader(name: EnvelopeHeader.time, value: time.description)) }
        if let dataSchema { headers.append(KafkaHeader(name: EnvelopeHeader.dataSchema, value: dataSchema)) }
        if let contentType { headers.append(KafkaHeader(name: EnvelopeHeader.contentType, value: contentType)) }
        headers.append(KafkaHeader(name: EnvelopeHeader.correlationID, value: correlationID))
        if let causationID { headers.append(KafkaHeader(name: EnvelopeHeader.causationID, value: causationID)) }
        if let traceParent { headers.append(KafkaHeader(name: EnvelopeHeader.traceParent, value: traceParent.description)) }
        if let traceState { headers.append(KafkaHeader(name: EnvelopeHeader.traceState, value: traceState)) }
        headers.append(KafkaHeader(name: EnvelopeHeader.hops, value: String(hops)))
        if cost > 0 { headers.append(KafkaHeader(name: EnvelopeHeader.cost, value: String(cost))) }
        if let budget, !budget.isEmpty { headers.append(KafkaHeader(name: EnvelopeHeader.budget, value: budget.description)) }
        for name in extensions.keys.sorted() where !EnvelopeHeader.interpreted.contains(name) {
            headers.append(KafkaHeader(name: name, value: extensions[name]!))
        }
        return headers
    }

    /// Reads an event from a Kafka record written by AgentBus or any other client.
    ///
    /// Headers are read last-wins (Kafka allows duplicates). Accepted from foreign producers:
    /// a missing `ce_correlationid` (the event starts a new workflow), `ce_time`, `content-type`,
    /// `agentbus_hops` (0) or `traceparent`; an invalid `traceparent` is dropped, as W3C Trace
    /// Context says, and the trace restarts; so is a `traceparent`, `tracestate` or extension
    /// header that is not UTF-8.
    ///
    /// - Throws: ``EnvelopeError`` with reason `.notAnEvent` when there is no `ce_specversion`,
    ///   and `.malformed` when a required attribute is missing, empty or malformed, a header is
    ///   not UTF-8, the payload is not declared as JSON, or the record is a structured-mode event.
    public init(record: KafkaRecord) throws(EnvelopeError) {
        let headers = record.headers
        func text(_ name: String) throws(EnvelopeError) -> String? {
            guard let value = headers[name] else { return nil }
            guard let string = value.validUTF8String else {
                throw EnvelopeError(.malformed, "header \(name) is not UTF-8")
            }
            return string
        }
        /// For headers whose loss is harmless (trace context, extensions): unreadable is absent.
        func tolerated(_ name: String) -> String? { headers.string(named: name) }
        func required(_ name: String) throws(EnvelopeError) -> String {
            guard let value = try text(name) else { throw EnvelopeError(.malformed, "missing header \(name)") }
            guard !value.isEmpty else { throw EnvelopeError(.malformed, "header \(name) is empty") }
            return value
        }

        let contentType = try text(EnvelopeHeader.contentType)
        guard let specVersion = try text(EnvelopeHeader.specVersion) else {
            if let contentType, contentType.hasPrefix("application/cloudevents") {
                throw EnvelopeError(.malformed, "structured-mode CloudEvents (\(contentType)) are not supported; send binary mode with ce_ headers")
            }
            throw EnvelopeError(.notAnEvent, "no ce_specversion header: not a CloudEvent")
        }
        guard specVersion == EnvelopeHeader.supportedSpecVersion else {
            throw EnvelopeError(.malformed, "ce_specversion \"\(specVersion)\" is not supported (expected 1.0)")
        }
        if let contentType, !Self.isJSON(contentType) {
            throw EnvelopeError(.malformed, "content-type \"\(contentType)\" is not JSON")
        }
        let id = try required(EnvelopeHeader.id)
        let source = try required(EnvelopeHeader.source)
        let type = try required(EnvelopeHeader.type)
        var time: EventTime?
        if let value = try text(EnvelopeHeader.time) {
            guard let parsed = EventTime(rfc3339: value) else {
                throw EnvelopeError(.malformed, "ce_time \"\(value)\" is not an RFC 3339 time")
            }
            time = parsed
        }
        var hops = 0
        if let value = try text(EnvelopeHeader.hops) {
            guard let parsed = Int(value), parsed >= 0 else {
                throw EnvelopeError(.malformed, "agentbus_hops \"\(value)\" is not a whole number")
            }
            hops = parsed
        }
        var cost = 0.0
        if let value = try text(EnvelopeHeader.cost) {
            guard let parsed = Double(value), parsed >= 0, parsed.isFinite else {
                throw EnvelopeError(.malformed, "agentbus_cost \"\(value)\" is not a non-negative number")
            }
            cost = parsed
        }
        var budget: WorkflowBudget?
        if let value = try text(EnvelopeHeader.budget) {
            guard let parsed = WorkflowBudget(header: value) else {
                throw EnvelopeError(.malformed, "agentbus_budget \"\(value)\" is not max-cost=N;deadline=RFC3339")
            }
            budget = parsed
        }
        let correlationID = try text(EnvelopeHeader.correlationID).flatMap { $0.isEmpty ? nil : $0 } ?? id
        let causationID = try text(EnvelopeHeader.causationID).flatMap { $0.isEmpty ? nil : $0 }

        var extensions: [String: String] = [:]
        // Scan for extension attributes only when some header is not one AgentBus reads: the
        // common case, AgentBus's own events, builds no header names at all.
        let interpretedPresent = EnvelopeHeader.interpretedNames.reduce(0) { $0 + (headers.lastIndex(named: $1) == nil ? 0 : 1) }
        if headers.count > interpretedPresent {
            for header in headers where header.name.hasPrefix("ce_") && !EnvelopeHeader.interpreted.contains(header.name) {
                if let value = tolerated(header.name) { extensions[header.name] = value }
            }
        }

        self.init(
            id: id, source: source, type: type, time: time, dataSchema: try text(EnvelopeHeader.dataSchema),
            contentType: contentType, correlationID: correlationID, causationID: causationID,
            traceParent: tolerated(EnvelopeHeader.traceParent).flatMap(TraceParent.init),
            traceState: tolerated(EnvelopeHeader.traceState), hops: hops, extensions: extensions,
            key: record.key?.validUTF8String, data: record.value.array, cost: cost, budget: budget)
    }

    /// `application/json`, with parameters, or any `+json` type.
    static func isJSON(_ contentType: String) -> Bool {
        if contentType == EnvelopeHeader.jsonContentType { return true }
        let mediaType = contentType.split(separator: ";", maxSplits: 1).first.map {
            $0.trimmingCharacters(in: .whitespaces).lowercased()
        } ?? ""
        return mediaType == "application/json" || mediaType.hasSuffix("+json")
    }
}
