import AgentBus
import Kafka

/// Recorded events made new again, to reproduce a workflow (or part of one) under a new
/// correlation ID: what `agentbus replay redrive` sends.
///
/// Each event keeps its type, source, payload, schema and every header AgentBus does not manage,
/// and gets a new `ce_id`, the new correlation ID (the new root's ID), its cause's new ID as
/// `ce_causationid` (the root has none), hops counted from the root (root 0), `ce_time` now and a
/// fresh trace (the root starts one; each other event is a child span of its cause's). Two headers
/// link each copy to what it reproduces: ``replayOfHeader`` (the original `ce_id`) and
/// ``replayOfCorrelationHeader`` (the original workflow). The Kafka key stays, except that a key
/// equal to the old correlation ID (the default key) becomes the new one, so the new workflow
/// stays on one partition as the old one did.
///
/// The payloads are not validated: the point is to send exactly what was recorded, bug included.
public struct ReplayRedrive: Sendable {
    /// One event to send.
    public struct Event: Sendable {
        /// The recorded event's `ce_id` and the topic it was read from (and is sent to).
        public var originalID: String
        public var topic: String
        /// The event as it will be sent.
        public var envelope: EventEnvelope
        public var key: [UInt8]?
        /// Every header of the record to send, envelope first, in the order they are written.
        public var headers: [KafkaHeader]
    }

    /// Why recorded events cannot be redriven, in one line.
    public struct Problem: Error, Sendable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// `agentbus_replay_of`: the `ce_id` of the recorded event this one reproduces.
    public static let replayOfHeader = "agentbus_replay_of"
    /// `agentbus_replay_of_correlation`: the workflow of the recorded event.
    public static let replayOfCorrelationHeader = "agentbus_replay_of_correlation"

    /// The new workflow's correlation ID: the new root's `ce_id`.
    public var correlationID: String
    /// The workflow the recorded events belonged to.
    public var originalCorrelationID: String
    /// In sending order: parents before children.
    public var events: [Event]

    /// New copies of `records`, the recorded events from `rootEventID` (first) on, parents before
    /// children. Further copies of one `ce_id` (duplicates under at-least-once delivery) are sent
    /// once.
    ///
    /// - Throws: ``Problem`` when the root is not among the records, or a record is not an event.
    public init(records: [KafkaRecord], rootEventID: String, now: EventTime = .now()) throws(Problem) {
        var originals: [(record: KafkaRecord, envelope: EventEnvelope)] = []
        var seen = Set<String>()
        for record in records {
            let envelope: EventEnvelope
            do {
                envelope = try EventEnvelope(record: record)
            } catch {
                throw Problem(message: "\(record.topic)/\(record.partition)@\(record.offset) is not an event that can be sent again: \(error)")
            }
            guard seen.insert(envelope.id).inserted else { continue }
            originals.append((record, envelope))
        }
        guard let rootIndex = originals.firstIndex(where: { $0.envelope.id == rootEventID }) else {
            throw Problem(message: "event \(rootEventID) is not among the \(records.count) record(s) to redrive")
        }
        // The root goes first whatever the order given: every other event hangs from it.
        originals.insert(originals.remove(at: rootIndex), at: 0)
        let root = originals[0].envelope

        let newRootID = EventID.random().description
        var newIDs: [String: String] = [root.id: newRootID]
        var traces: [String: TraceParent] = [:]
        var events: [Event] = []
        events.reserveCapacity(originals.count)
        for (index, (record, original)) in originals.enumerated() {
            let isRoot = index == 0
            let newID = isRoot ? newRootID : EventID.random().description
            newIDs[original.id] = newID
            var envelope = original
            envelope.id = newID
            envelope.correlationID = newRootID
            envelope.time = now
            if isRoot {
                envelope.causationID = nil
                envelope.hops = 0
                envelope.traceParent = .newRoot()
            } else {
                // A cause outside the copied set cannot be (the records come parents first), but
                // if it were, the copy hangs from the new root rather than from nothing.
                let cause = original.causationID.flatMap { newIDs[$0] } ?? newRootID
                envelope.causationID = cause
                envelope.hops = max(1, original.hops - root.hops)
                envelope.traceParent = (traces[cause] ?? traces[newRootID])?.child() ?? .newRoot()
            }
            traces[newID] = envelope.traceParent

            var key = record.key?.array
            if let recordedKey = record.key, recordedKey.string == original.correlationID {
                key = Array(newRootID.utf8)
                envelope.key = newRootID
            }
            var headers = envelope.kafkaHeaders
            let managed = Set(headers.map(\.name)).union(EnvelopeHeader.interpreted)
                .union([Self.replayOfHeader, Self.replayOfCorrelationHeader])
            for header in record.headers where !managed.contains(header.name) && !header.name.hasPrefix("ce_") {
                headers.append(KafkaHeader(name: header.name, value: header.value?.array))
            }
            headers.append(KafkaHeader(name: Self.replayOfHeader, value: original.id))
            headers.append(KafkaHeader(name: Self.replayOfCorrelationHeader, value: original.correlationID))
            events.append(Event(originalID: original.id, topic: record.topic, envelope: envelope, key: key, headers: headers))
        }
        self.correlationID = newRootID
        self.originalCorrelationID = root.correlationID
        self.events = events
    }
}
