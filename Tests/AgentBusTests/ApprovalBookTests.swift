import AgentBus
import Foundation
import JSONSchema
import Testing

@Suite("Approval book")
struct ApprovalBookTests {
    static let requestType = "dev.example.approval.requested.v1"
    static let gate = ApprovalEventTypes(requested: requestType)!

    static func request(amount: String = #"{"amount": 250000, "currency": "EUR"}"#, deadline: String = "2026-11-23T17:00:00.000Z")
        throws -> ApprovalRequest
    {
        let payload = #"{"applicationId": "APP-004217", "amount": \#(amount), "approverRole": "senior-underwriter", "deadline": "\#(deadline)", "requestedAt": "2026-11-21T09:17:13.000Z"}"#
        return try ApprovalRequest(envelope: .root(type: requestType, source: "/agents/decider", data: Array(payload.utf8)))
    }

    static let priya = ApproverDirectory.Person(name: "priya", id: "EMP-30417", displayName: "Priya Raman", role: "senior-underwriter")
    static let dan = ApproverDirectory.Person(name: "dan", id: "EMP-10022", displayName: "Daniel Weber", role: "credit-committee")
    static let origin = ApprovalOrigin(host: "console-1", user: "praman")

    /// A decision on `request` as the console builds it, read back as the book reads it.
    static func decision(
        _ outcome: ApprovalDecision.Outcome, on request: ApprovalRequest, by person: ApproverDirectory.Person, at time: String
    ) throws -> ApprovalDecision {
        let envelope = request.decision(
            outcome, type: gate.type(of: outcome), by: person, declaredProperties: ["applicationId", "approvedAmount"],
            origin: origin, comment: "checked", at: EventTime(rfc3339: time)!)
        return try ApprovalDecision(envelope: envelope, outcome: outcome)
    }

    static let before = EventTime(rfc3339: "2026-11-22T00:00:00.000Z")!
    static let after = EventTime(rfc3339: "2026-11-24T00:00:00.000Z")!

    @Test("a request is pending, escalated past its deadline, and decided by a decision naming it")
    func states() throws {
        let request = try Self.request()
        var book = ApprovalBook()
        book.record(request)
        #expect(book.status(of: request.id, at: Self.before) == .pending)
        #expect(book.status(of: request.id, at: Self.after) == .escalated)
        #expect(book.undecided.map(\.id) == [request.id])
        #expect(book.status(of: "unknown", at: Self.before) == nil)

        let granted = try Self.decision(.granted, on: request, by: Self.priya, at: "2026-11-21T14:02:51.000Z")
        #expect(book.record(granted) == .accepted)
        #expect(book.status(of: request.id, at: Self.after) == .decided(granted))
        #expect(book.undecided.isEmpty)
        #expect(book.decided.map(\.decision) == [granted])
    }

    @Test("the first decision wins; a later one is refused naming who decided first and when")
    func firstDecisionWins() throws {
        let request = try Self.request()
        var book = ApprovalBook()
        book.record(request)
        let first = try Self.decision(.granted, on: request, by: Self.priya, at: "2026-11-21T14:02:51.000Z")
        let second = try Self.decision(.rejected, on: request, by: Self.dan, at: "2026-11-21T14:02:52.000Z")
        #expect(book.record(first) == .accepted)
        let verdict = book.record(second)
        #expect(verdict == .refused(first: first))
        #expect(book.decision(on: request.id) == first)
        #expect(book.refused == [ApprovalBook.Refusal(decision: second, first: first)])
        #expect(first.summary == "granted by Priya Raman (EMP-30417) at 2026-11-21T14:02:51.000Z from console-1 (praman)")
        // The same decision event again is a redelivery, not a second decision.
        #expect(book.record(first) == .duplicate)
        #expect(book.record(second) == .duplicate)
        #expect(book.refused.count == 1)
    }

    @Test("order decides, not the decision's own time: a decision recorded first wins even if stamped later")
    func logOrderWins() throws {
        let request = try Self.request()
        var book = ApprovalBook()
        let late = try Self.decision(.rejected, on: request, by: Self.dan, at: "2026-11-21T18:00:00.000Z")
        let early = try Self.decision(.granted, on: request, by: Self.priya, at: "2026-11-21T09:00:00.000Z")
        // The decision arrives before its request (as when retention dropped the request).
        #expect(book.record(late) == .accepted)
        book.record(request)
        #expect(book.record(early) == .refused(first: late))
        #expect(book.status(of: request.id, at: Self.before) == .decided(late))
    }

    @Test("a decision is a child of its request and carries who, from where, and the request's ID")
    func decisionEvent() throws {
        let request = try Self.request()
        let envelope = request.decision(
            .granted, type: Self.gate.granted, by: Self.priya, declaredProperties: ["applicationId", "approvedAmount"],
            origin: Self.origin, comment: "checked", at: EventTime(rfc3339: "2026-11-21T14:02:51.000Z")!)
        #expect(envelope.correlationID == request.correlationID)
        #expect(envelope.causationID == request.id)
        #expect(envelope.hops == request.envelope.hops + 1)
        #expect(envelope.key == request.envelope.key)
        #expect(envelope.type == "dev.example.approval.granted.v1")
        let payload = try JSONValue(parsing: envelope.data)
        #expect(payload == (try JSONValue(parsing: #"""
            {"applicationId": "APP-004217", "requestId": "\#(request.id)",
             "approver": {"id": "EMP-30417", "name": "Priya Raman", "role": "senior-underwriter"},
             "origin": {"host": "console-1", "user": "praman"}, "decidedAt": "2026-11-21T14:02:51.000Z",
             "approvedAmount": {"amount": 250000, "currency": "EUR"}, "comment": "checked"}
            """#)))
        // Members the decision's schema does not declare stay behind.
        #expect(payload["approverRole"] == nil)
        #expect(payload["deadline"] == nil)
        // Deterministic per (request, type, person): the same person deciding twice sends one ID.
        let again = request.decision(
            .granted, type: Self.gate.granted, by: Self.priya, declaredProperties: [], origin: Self.origin, comment: nil)
        #expect(again.id == envelope.id)
    }

    @Test("request payloads: money or a plain number; a missing amount or a bad date is an error")
    func requestPayloads() throws {
        let money = try Self.request()
        #expect(money.amount == 250_000)
        #expect(money.amountText == "250000 EUR")
        #expect(money.requestedRole == "senior-underwriter")
        let plain = try Self.request(amount: "1234.56")
        #expect(plain.amount == Decimal(string: "1234.56"), "exactly, not through a Double")
        #expect(plain.currency == nil)
        #expect(throws: ApprovalPayloadError.self) { try Self.request(amount: #""lots""#) }
        #expect(throws: ApprovalPayloadError.self) { try Self.request(deadline: "Friday") }
    }

    @Test("gate types by convention")
    func eventTypes() {
        let gate = ApprovalEventTypes(requested: "dev.agentbus.loan.approval.requested.v2")
        #expect(gate?.granted == "dev.agentbus.loan.approval.granted.v2")
        #expect(gate?.rejected == "dev.agentbus.loan.approval.rejected.v2")
        #expect(gate?.outcome(of: "dev.agentbus.loan.approval.rejected.v2") == .rejected)
        #expect(gate?.outcome(of: "dev.agentbus.loan.approval.rejected.v1") == nil)
        #expect(ApprovalEventTypes(requested: "dev.agentbus.loan.approval.requested") == nil)
        #expect(ApprovalEventTypes(requested: "dev.agentbus.loan.decision.made.v1") == nil)
        #expect(ApprovalEventTypes.all(in: ["a.approval.requested.v1", "a.approval.granted.v1", "b.x.v1"]).map(\.requested)
            == ["a.approval.requested.v1"])
    }
}
