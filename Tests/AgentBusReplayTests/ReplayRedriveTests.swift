import AgentBus
import AgentBusReplay
import Kafka
import Testing

/// What `agentbus replay redrive` sends, built from records as the runtime writes them.
@Suite("Replay redrive")
struct ReplayRedriveTests {
    static let workflow = "wf-original"

    /// An event record: root when `cause` is nil.
    func record(
        _ id: String, type: String, cause: String?, hops: Int, topic: String = "loan.checks", key: String? = workflow,
        extra: [KafkaHeader] = []
    ) -> KafkaRecord {
        var envelope = EventEnvelope(
            id: id, source: cause == nil ? "/cli" : "/agents/scorer", type: type,
            time: EventTime(millisecondsSinceEpoch: 1_795_000_000_000), dataSchema: "https://schemas.example/\(type)",
            correlationID: Self.workflow, causationID: cause,
            traceParent: TraceParent("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"), traceState: "vendor=1",
            hops: hops, extensions: ["ce_tenant": "acme"], key: key, data: Array("{\"id\":\"\(id)\"}".utf8))
        envelope.key = key
        return KafkaRecord(
            topic: topic, partition: 1, offset: 7, key: key.map { Array($0.utf8) }, value: envelope.data,
            headers: envelope.kafkaHeaders + extra)
    }

    @Test("new IDs and correlation, causation remapped, hops from the root, new time and trace, links to the original")
    func subtree() throws {
        let records = [
            record("a", type: "x.received.v1", cause: "before", hops: 2, extra: [KafkaHeader(name: "app-header", value: "kept")]),
            record("b", type: "x.checked.v1", cause: "a", hops: 3),
            record("b", type: "x.checked.v1", cause: "a", hops: 3),  // a duplicate copy
            record("c", type: "x.scored.v1", cause: "b", hops: 4, topic: "loan.risk", key: "APP-1",
                   extra: [KafkaHeader(name: ReplayRedrive.replayOfHeader, value: "older")]),
        ]
        let now = EventTime(millisecondsSinceEpoch: 1_795_100_000_000)
        let redrive = try ReplayRedrive(records: records, rootEventID: "a", now: now)
        #expect(redrive.events.map(\.originalID) == ["a", "b", "c"], "each event once, parents first")
        #expect(redrive.originalCorrelationID == Self.workflow)
        let (root, child, grandchild) = (redrive.events[0], redrive.events[1], redrive.events[2])
        #expect(EventID(root.envelope.id) != nil)
        #expect(redrive.correlationID == root.envelope.id)
        #expect(Set(redrive.events.map(\.envelope.id)).count == 3)
        #expect(redrive.events.allSatisfy { $0.envelope.correlationID == redrive.correlationID && $0.envelope.time == now })
        #expect(root.envelope.causationID == nil)
        #expect(child.envelope.causationID == root.envelope.id)
        #expect(grandchild.envelope.causationID == child.envelope.id)
        #expect(redrive.events.map(\.envelope.hops) == [0, 1, 2])

        let rootTrace = try #require(root.envelope.traceParent)
        #expect(rootTrace.traceIDHex != "0af7651916cd43dd8448eb211c80319c", "a fresh trace")
        #expect(child.envelope.traceParent?.traceIDHex == rootTrace.traceIDHex)
        #expect(grandchild.envelope.traceParent?.traceIDHex == rootTrace.traceIDHex)
        #expect(child.envelope.traceParent?.spanID != rootTrace.spanID)

        #expect(root.topic == "loan.checks")
        #expect(grandchild.topic == "loan.risk")
        #expect(root.key == Array(redrive.correlationID.utf8), "the default key follows the correlation ID")
        #expect(grandchild.key == Array("APP-1".utf8), "any other key stays")

        func headers(_ event: ReplayRedrive.Event, _ name: String) -> [String?] {
            event.headers.filter { $0.name == name }.map { $0.value.map { String(decoding: $0, as: UTF8.self) } }
        }
        #expect(headers(root, "ce_id") == [root.envelope.id])
        #expect(headers(root, "ce_causationid").isEmpty)
        #expect(headers(root, "ce_type") == ["x.received.v1"])
        #expect(headers(root, "ce_source") == ["/agents/scorer"])
        #expect(headers(root, "ce_dataschema") == ["https://schemas.example/x.received.v1"])
        #expect(headers(root, "ce_tenant") == ["acme"], "extensions are kept")
        #expect(headers(root, "tracestate") == ["vendor=1"])
        #expect(headers(root, "app-header") == ["kept"], "headers AgentBus does not manage are kept")
        #expect(headers(root, "agentbus_hops") == ["0"])
        #expect(headers(root, ReplayRedrive.replayOfHeader) == ["a"])
        #expect(headers(root, ReplayRedrive.replayOfCorrelationHeader) == [Self.workflow])
        #expect(headers(grandchild, ReplayRedrive.replayOfHeader) == ["c"], "replaced, not appended")
        #expect(root.headers.last?.name == ReplayRedrive.replayOfCorrelationHeader)
        #expect(root.envelope.data == records[0].value.array, "the payload as recorded")
    }

    @Test("one event alone is a new root")
    func single() throws {
        let redrive = try ReplayRedrive(records: [record("b", type: "x.checked.v1", cause: "a", hops: 3)], rootEventID: "b")
        #expect(redrive.events.count == 1)
        #expect(redrive.events[0].envelope.causationID == nil)
        #expect(redrive.events[0].envelope.hops == 0)
    }

    @Test("refuses records that are not events, and a root that is not among them")
    func refusals() {
        let foreign = KafkaRecord(topic: "loan.checks", offset: 3, value: Array("{}".utf8))
        let notEvent = #expect(throws: ReplayRedrive.Problem.self) { try ReplayRedrive(records: [foreign], rootEventID: "a") }
        #expect(notEvent?.message.hasPrefix("loan.checks/0@3 is not an event") == true, "\(notEvent?.message ?? "")")
        let missing = #expect(throws: ReplayRedrive.Problem.self) {
            try ReplayRedrive(records: [record("b", type: "x.v1", cause: nil, hops: 0)], rootEventID: "a")
        }
        #expect(missing?.message.contains("event a") == true)
    }
}
