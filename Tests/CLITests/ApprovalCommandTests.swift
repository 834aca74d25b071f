import AgentBus
import AgentBusReplay
import Foundation
import JSONSchema
import Kafka
import TestSupport
import Testing

/// `agentbus approvals list`, `approve` and `reject` as users run them: real processes against a
/// dev-broker with the repository's catalog, requests published with `agentbus publish`, and
/// Examples/approvers.json as the approvers file (lena: underwriter up to 150000; priya: senior
/// underwriter up to 500000; daniel: credit committee).
@Suite("approvals list, approve and reject", .serialized, .timeLimit(.minutes(3)))
struct ApprovalCommandTests {
    static let approvers = PublishTailTests.repository.appendingPathComponent("Examples/approvers.json").path
    static let requested = "dev.agentbus.loan.approval.requested.v1"

    /// Runs an agentbus command against `broker` with the catalog and the approvers file.
    func agentbus(_ arguments: [String], _ broker: DevBrokerProcess) async throws -> PublishTailTests.Finished {
        try await CLIRun.agentbus(arguments + ["--schemas", PublishTailTests.schemas, "--approvers", Self.approvers], broker)
    }

    /// Publishes an approval request for `amount` EUR asking for `role`; returns its event ID.
    func request(amount: Int, role: String, deadline: String = "2099-01-01T00:00:00.000Z", _ broker: DevBrokerProcess)
        async throws -> String
    {
        let payload = """
            {"applicationId": "APP-004217", "applicantId": "CUS-118042", "amount": {"amount": \(amount), "currency": "EUR"}, "approverRole": "\(role)",
             "authorityThreshold": {"amount": 150000, "currency": "EUR"}, "reason": "Above the automatic limit.",
             "requestedAt": "2026-11-21T09:17:13.000Z", "deadline": "\(deadline)"}
            """
        let published = try await CLIRun.agentbus(
            ["publish", Self.requested, "--data", payload, "--schemas", PublishTailTests.schemas], broker)
        try #require(published.status == 0, "\(published.errors)")
        let line = try #require(published.output.first { $0.hasPrefix("event-id: ") })
        return String(line.dropFirst("event-id: ".count))
    }

    /// The events on loan.approvals, in order.
    func approvalEvents(_ broker: DevBrokerProcess) async throws -> [EventEnvelope] {
        var configuration = KafkaConsumerConfiguration(bootstrapServers: [broker.bootstrapServers], groupID: "unused")
        configuration.tuneForEmbeddedCluster()
        let records = try await TopicSnapshotReader(consumerConfiguration: configuration).read(["loan.approvals"])["loan.approvals"]
        return try records.map { try EventEnvelope(record: $0) }
    }

    @Test("list shows a pending request; approve by a covering approver publishes a child of it; list --all shows who")
    func listAndApprove() async throws {
        let broker = try await DevBrokerProcess.start(schemas: PublishTailTests.schemas)
        defer { Task { await broker.stop() } }
        let id = try await request(amount: 250_000, role: "senior-underwriter", broker)

        let list = try await agentbus(["approvals", "list"], broker)
        #expect(list.status == 0, "\(list.errors)")
        #expect(list.output.count == 2, "\(list.output)")
        #expect(list.output.first?.hasPrefix("ID") == true)
        let row = try #require(list.output.last)
        for cell in [id, "250000 EUR", "senior-underwriter", "2099-01-01T00:00:00.000Z", "pending"] {
            #expect(row.contains(cell), "\(cell) missing from \(row)")
        }

        let approve = try await agentbus(["approve", id, "--by", "priya", "--note", "Income verified."], broker)
        #expect(approve.status == 0, "\(approve.errors)")
        let line = try #require(approve.output.first)
        #expect(line.hasPrefix("event-id: "), "\(approve.output)")
        let decisionID = String(line.dropFirst("event-id: ".count))

        let events = try await approvalEvents(broker)
        #expect(events.count == 2)
        let request = try #require(events.first { $0.id == id })
        let decision = try #require(events.first { $0.id == decisionID })
        #expect(decision.type == "dev.agentbus.loan.approval.granted.v1")
        #expect(decision.correlationID == request.correlationID)
        #expect(decision.causationID == id)
        #expect(decision.hops == request.hops + 1)
        let payload = try JSONValue(parsing: decision.data)
        #expect(payload["requestId"] == .string(id))
        #expect(payload["approver"] == (try JSONValue(parsing: #"{"id": "EMP-30417", "name": "Priya Raman", "role": "senior-underwriter"}"#)))
        #expect(payload["comment"] == .string("Income verified."))
        #expect(payload["applicationId"] == .string("APP-004217"))
        #expect(payload["origin"]?["host"]?.stringValue?.isEmpty == false)
        #expect(payload["origin"]?["user"]?.stringValue?.isEmpty == false)

        let pending = try await agentbus(["approvals", "list"], broker)
        #expect(pending.output == ["no pending approval requests (1 decided; --all lists them)"], "\(pending.output)")
        let all = try await agentbus(["approvals", "list", "--all"], broker)
        #expect(all.output.last?.contains("granted by Priya Raman (EMP-30417) at ") == true, "\(all.output)")
    }

    @Test("a second decision is refused, saying who decided first and when, and publishes nothing")
    func secondDecisionRefused() async throws {
        let broker = try await DevBrokerProcess.start(schemas: PublishTailTests.schemas)
        defer { Task { await broker.stop() } }
        let id = try await request(amount: 900_000, role: "credit-committee", broker)

        let reject = try await agentbus(
            ["reject", id, "--by", "daniel", "--reason", "Sector exposure too high.", "--code", "excessive-risk"], broker)
        #expect(reject.status == 0, "\(reject.errors)")
        let second = try await agentbus(["approve", id, "--by", "daniel"], broker)
        #expect(second.status != 0)
        #expect(second.output.isEmpty)
        #expect(second.errors.count == 1, "\(second.errors)")
        let error = try #require(second.errors.first)
        #expect(error.hasPrefix("agentbus approve: nothing was published: request \(id) was already rejected by Daniel Weber (EMP-10022) at "), "\(error)")

        let events = try await approvalEvents(broker)
        #expect(events.map(\.type) == [Self.requested, "dev.agentbus.loan.approval.rejected.v1"])
        let payload = try JSONValue(parsing: try #require(events.last).data)
        #expect(payload["comment"] == .string("Sector exposure too high."))
        #expect(payload["reasonCode"] == .string("excessive-risk"))
    }

    @Test("an approver below the threshold, an unknown approver and an unknown request are refused in one line")
    func refusals() async throws {
        let broker = try await DevBrokerProcess.start(schemas: PublishTailTests.schemas)
        defer { Task { await broker.stop() } }
        let id = try await request(amount: 250_000, role: "senior-underwriter", broker)

        let below = try await agentbus(["approve", id, "--by", "lena"], broker)
        #expect(below.status != 0)
        #expect(below.errors == [
            "agentbus approve: nothing was published: request \(id) for 250000 EUR needs role senior-underwriter or above; lena has role underwriter (limit 150000)",
        ])
        let stranger = try await agentbus(["reject", id, "--by", "mallory", "--reason", "no"], broker)
        #expect(stranger.status != 0)
        #expect(stranger.errors == [
            "agentbus reject: nothing was published: mallory is not an approver in \(Self.approvers) (approvers: daniel, lena, priya)",
        ])
        let unknown = try await agentbus(["approve", "no-such-request", "--by", "priya"], broker)
        #expect(unknown.status != 0)
        #expect(unknown.errors == ["agentbus approve: nothing was published: no approval request with ID no-such-request in loan.approvals"])
        #expect(try await approvalEvents(broker).count == 1, "nothing was published")

        // Past its deadline, the request escalates one role up: priya no longer covers it.
        let overdue = try await request(amount: 250_000, role: "senior-underwriter", deadline: "2020-01-01T00:00:00.000Z", broker)
        let escalated = try await agentbus(["approve", overdue, "--by", "priya"], broker)
        #expect(escalated.status != 0)
        #expect(escalated.errors.first?.contains("needs role credit-committee or above (escalated: its deadline 2020-01-01T00:00:00.000Z has passed)") == true, "\(escalated.errors)")
        let list = try await agentbus(["approvals", "list"], broker)
        #expect(list.output.contains { $0.contains(overdue) && $0.contains("credit-committee") && $0.hasSuffix("escalated") }, "\(list.output)")
    }
}
