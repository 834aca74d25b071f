import AgentBus
import JSONSchema
import Kafka
import Testing

@Suite("The event envelope on Kafka records")
struct EventEnvelopeTests {
    let payload = Array(#"{"applicationId":"APP-000001"}"#.utf8)

    func record(_ headers: [KafkaHeader], key: String? = "k", value: [UInt8]? = nil) -> KafkaRecord {
        KafkaRecord(topic: "t", key: key.map { Array($0.utf8) }, value: value ?? payload, headers: headers)
    }

    func foreignHeaders(dropping dropped: Set<String> = [], _ extra: [KafkaHeader] = []) -> [KafkaHeader] {
        [
            KafkaHeader(name: "ce_specversion", value: "1.0"), KafkaHeader(name: "ce_id", value: "ext-1"),
            KafkaHeader(name: "ce_source", value: "/external/billing"),
            KafkaHeader(name: "ce_type", value: "dev.agentbus.loan.application.received.v1"),
        ].filter { !dropped.contains($0.name) } + extra
    }

    @Test("a root event survives the trip through Kafka headers unchanged")
    func roundTrip() throws {
        var envelope = EventEnvelope.root(
            type: "dev.agentbus.loan.application.received.v1", source: "/cli", data: payload,
            dataSchema: "https://agentbus.dev/schemas/dev.agentbus.loan.application.received.v1.json", key: "APP-000001")
        envelope.traceState = "vendor=1"
        envelope.extensions = ["ce_tenant": "acme"]
        let decoded = try EventEnvelope(record: record(envelope.kafkaHeaders, key: envelope.key))
        #expect(decoded == envelope)
        #expect(decoded.correlationID == envelope.id)
        #expect(decoded.isRoot)
        #expect(decoded.hops == 0)

        let names = envelope.kafkaHeaders.map(\.name)
        #expect(Set(names).count == names.count, "each header is written once")
        #expect(names.prefix(4) == ["ce_specversion", "ce_id", "ce_source", "ce_type"])
        #expect(names.contains("content-type") && !names.contains("ce_datacontenttype"))
        #expect(envelope.kafkaHeaders.first { $0.name == "ce_time" }?.value.map { String(decoding: $0, as: UTF8.self) }?.hasSuffix("Z") == true)
    }

    @Test("a child inherits the workflow, points at its cause, goes one hop deeper, keeps the trace")
    func childDerivation() throws {
        let parent = EventEnvelope.root(type: "dev.agentbus.loan.application.received.v1", source: "/cli", data: payload)
        let child = parent.child(type: "dev.agentbus.loan.credit.checked.v1", data: payload, agent: "credit-check", index: 0)
        let again = parent.child(type: "dev.agentbus.loan.credit.checked.v1", data: payload, agent: "credit-check", index: 0)
        let second = parent.child(type: "dev.agentbus.loan.credit.checked.v1", data: payload, agent: "credit-check", index: 1)
        let otherAgent = parent.child(type: "dev.agentbus.loan.credit.checked.v1", data: payload, agent: "fraud-check", index: 0)
        #expect(child.id == again.id, "re-handling the same event republishes the same ID")
        #expect(child.id != second.id && child.id != otherAgent.id)
        #expect(child.id == EventID.derived(from: parent.id, agent: "credit-check", index: 0).description)
        #expect(child.correlationID == parent.correlationID)
        #expect(child.causationID == parent.id)
        #expect(child.hops == 1)
        #expect(child.source == "/agents/credit-check")
        let parentTrace = try #require(parent.traceParent)
        let childTrace = try #require(child.traceParent)
        #expect(childTrace.traceIDHex == parentTrace.traceIDHex)
        #expect(childTrace.spanIDHex != parentTrace.spanIDHex)
    }

    @Test("duplicate headers are read last-wins")
    func lastWins() throws {
        let decoded = try EventEnvelope(record: record(foreignHeaders([
            KafkaHeader(name: "ce_type", value: "dev.agentbus.loan.credit.checked.v1"),
            KafkaHeader(name: "agentbus_hops", value: "1"), KafkaHeader(name: "agentbus_hops", value: "4"),
        ])))
        #expect(decoded.type == "dev.agentbus.loan.credit.checked.v1")
        #expect(decoded.hops == 4)
    }

    @Test("a foreign event without AgentBus headers starts a new workflow")
    func foreignMinimal() throws {
        let decoded = try EventEnvelope(record: record(foreignHeaders()))
        #expect(decoded.correlationID == "ext-1")
        #expect(decoded.causationID == nil)
        #expect(decoded.hops == 0)
        #expect(decoded.time == nil)
        #expect(decoded.traceParent == nil)
        #expect(decoded.key == "k")
    }

    @Test("an invalid traceparent is dropped, not fatal; unknown ce_ headers are kept")
    func tolerated() throws {
        let decoded = try EventEnvelope(record: record(foreignHeaders([
            KafkaHeader(name: "traceparent", value: "00-XYZ-nope-01"), KafkaHeader(name: "ce_tenant", value: "acme"),
            KafkaHeader(name: "x-other", value: "ignored"),
        ])))
        #expect(decoded.traceParent == nil)
        #expect(decoded.extensions == ["ce_tenant": "acme"])
        #expect(decoded.kafkaHeaders.contains(KafkaHeader(name: "ce_tenant", value: "acme")))
        #expect(decoded.jsonValue["extensions"] == .object(JSONObject(["tenant": .string("acme")])))

        let binary = try EventEnvelope(record: record(foreignHeaders([
            KafkaHeader(name: "traceparent", value: [0xFF]), KafkaHeader(name: "tracestate", value: [0xFE]),
            KafkaHeader(name: "ce_hops", value: [0xC0]),
        ])))
        #expect(binary.traceParent == nil && binary.traceState == nil && binary.extensions.isEmpty,
            "unreadable trace context and extensions are dropped, not fatal")
    }

    @Test("an extension cannot shadow an attribute in the JSON form")
    func extensionsNested() throws {
        let decoded = try EventEnvelope(record: record(foreignHeaders([KafkaHeader(name: "ce_hops", value: "7")])))
        #expect(decoded.jsonValue["hops"] == .number(JSONNumber(0)))
        #expect(decoded.jsonValue["extensions"]?["hops"] == .string("7"))
    }

    @Test("records that are not usable events say why, in one line", arguments: [
        (Set<String>(["ce_specversion"]), [KafkaHeader](), "no ce_specversion header: not a CloudEvent"),
        (["ce_id"], [], "missing header ce_id"),
        (["ce_source"], [], "missing header ce_source"),
        (["ce_type"], [], "missing header ce_type"),
        ([], [KafkaHeader(name: "ce_id", value: "")], "header ce_id is empty"),
        ([], [KafkaHeader(name: "ce_specversion", value: "0.3")], "ce_specversion \"0.3\" is not supported (expected 1.0)"),
        ([], [KafkaHeader(name: "agentbus_hops", value: "-1")], "agentbus_hops \"-1\" is not a whole number"),
        ([], [KafkaHeader(name: "ce_time", value: "yesterday")], "ce_time \"yesterday\" is not an RFC 3339 time"),
        ([], [KafkaHeader(name: "content-type", value: "text/plain")], "content-type \"text/plain\" is not JSON"),
        ([], [KafkaHeader(name: "ce_source", value: [0xFF, 0xFE])], "header ce_source is not UTF-8"),
    ] as [(Set<String>, [KafkaHeader], String)])
    func rejected(dropped: Set<String>, extra: [KafkaHeader], message: String) {
        #expect(throws: EnvelopeError.self) { try EventEnvelope(record: record(foreignHeaders(dropping: dropped, extra))) }
        do {
            _ = try EventEnvelope(record: record(foreignHeaders(dropping: dropped, extra)))
        } catch {
            #expect(error.message == message)
            #expect(error.reason == (dropped.contains("ce_specversion") ? .notAnEvent : .malformed))
        }
    }

    @Test("a structured-mode CloudEvent is named as such")
    func structuredMode() {
        do {
            _ = try EventEnvelope(record: record([KafkaHeader(name: "content-type", value: "application/cloudevents+json")]))
            Issue.record("expected an error")
        } catch {
            #expect(error.reason == .malformed)
            #expect(error.message.contains("structured-mode"))
        }
    }

    @Test("JSON form: CloudEvents attribute names, AgentBus attributes, parsed data")
    func jsonForm() throws {
        let parent = EventEnvelope.root(type: "dev.agentbus.loan.application.received.v1", source: "/cli", data: payload, key: "A")
        let child = parent.child(type: "dev.agentbus.loan.credit.checked.v1", data: payload, agent: "credit-check", index: 0)
        let json = child.jsonValue
        #expect(json["id"] == .string(child.id))
        #expect(json["correlationid"] == .string(parent.id))
        #expect(json["causationid"] == .string(parent.id))
        #expect(json["hops"] == .number(JSONNumber(1)))
        #expect(json["data"]?["applicationId"] == .string("APP-000001"))
        #expect(try JSONValue(parsing: json.jsonText) == json)
    }
}
