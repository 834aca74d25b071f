import AgentBus
import ArgumentParser
import Foundation
import JSONSchema
import Kafka

/// What `approve` and `reject` share: check that the request exists and is undecided and that the
/// approver may decide it, publish the decision as a child of the request, then check that it
/// was the first.
///
/// Everything is checked before anything is published; each refusal is one line on stderr and
/// exit code 1.
struct ApprovalDecisionSender {
    let command: String
    let outcome: ApprovalDecision.Outcome
    let requestID: String
    let approverName: String
    let comment: String?
    let extra: [String: JSONValue]
    let connection: ConnectionOptions
    let schemaOptions: SchemaOptions
    let approversOptions: ApproversOptions

    private func refuse(_ reason: String) -> ExitCode {
        Output.error("agentbus \(command): nothing was published: \(reason)")
        return ExitCode.failure
    }

    func run() async throws {
        let registry = try schemaOptions.load(command: command)
        let gates = try ApprovalLog.gates(in: registry, catalog: schemaOptions.directory.catalogDescription, command: command)
        guard let directory = try approversOptions.load(command: command, required: true) else { throw ExitCode.failure }
        guard let person = directory.person(named: approverName) else {
            let names = directory.people.map(\.name).sorted().joined(separator: ", ")
            throw refuse("\(approverName.oneLine) is not an approver in \(directory.file) (approvers: \(names.isEmpty ? "none" : names))")
        }

        let log = try await ApprovalLog.read(gates: gates, registry: registry, connection: connection, command: command)
        guard let request = log.book.request(id: requestID) else {
            throw refuse("no approval request with ID \(requestID.oneLine) in \(log.topics.joined(separator: ", "))")
        }
        let now = EventTime.now()
        let status = log.book.status(of: request.id, at: now)
        if case .decided(let decision) = status {
            throw refuse("request \(request.id.oneLine) was already \(decision.summary)")
        }
        if case .superseded(let replacement) = status {
            throw refuse("request \(request.id.oneLine) was escalated to request \(replacement.oneLine); decide that one")
        }
        let escalated = status == .escalated
        let needed: ApproverDirectory.Role
        do {
            needed = try directory.roleNeeded(amount: request.amount, requestedRole: request.requestedRole, escalated: escalated)
        } catch {
            throw refuse("request \(request.id.oneLine) cannot be decided with \(error)")
        }
        guard directory.mayDecide(person, amount: request.amount, atLeast: needed.name) else {
            let limit = directory.role(named: person.role)?.limit.map { "limit \($0)" } ?? "no limit"
            let why = escalated ? " (escalated: its deadline \(request.deadline?.description ?? "") has passed)" : ""
            throw refuse(
                "request \(request.id.oneLine) for \(request.amountText.oneLine) needs role \(needed.name) or above\(why); \(person.name.oneLine) has role \(person.role) (\(limit))")
        }

        guard let gate = log.gates.first(where: { $0.requested == request.envelope.type }),
            let schema = registry.eventSchema(for: gate.type(of: outcome))
        else {
            throw refuse("the catalog has no schema for the decision type of \(request.envelope.type.oneLine)")
        }
        let declared = Set(schema.document["properties"]?.objectValue?.keys ?? [])
        let decision = request.decision(
            outcome, type: schema.type, by: person, declaredProperties: declared,
            origin: ApprovalOrigin.current(environment: ProcessInfo.processInfo.environment), comment: comment,
            extra: extra, at: now)
        let violations = schema.validator.validate(decision.data)
        if let first = violations.first {
            throw refuse("the decision does not match the schema of \(schema.type): \(first)")
        }

        let producer = try KafkaProducer(
            configuration: try connection.producerConfiguration(), logger: ConnectionOptions.quietLogger("agentbus.approvals"))
        let publisher = EventPublisher(producer: producer, registry: registry, source: decision.source)
        let published: PublishedEvent
        do {
            published = try await publisher.publish(decision)
        } catch {
            try? await producer.close(timeout: .seconds(5))
            Output.error("agentbus \(command): \(error)")
            throw ExitCode.failure
        }
        try? await producer.close(timeout: .seconds(5))

        // Another console may have decided between the read and the publish: read again, and
        // say which decision counts.
        do {
            let (after, _) = try await ApprovalLog.read(gates: gates, registry: registry, connection: connection)
            if let first = after.book.decision(on: request.id), first.id != published.envelope.id {
                Output.error(
                    "agentbus \(command): refused: request \(request.id.oneLine) was \(first.summary) first; decision \(published.envelope.id) does not count")
                throw ExitCode.failure
            }
        } catch let error as KafkaError {
            Output.error(
                "agentbus \(command): published \(published.envelope.id), but could not read \(published.topic) again to check that no other decision came first: \(error.message)")
        }
        Output.line("event-id: \(published.envelope.id)")
        Output.error(
            "\(outcome.rawValue) request \(request.id.oneLine) (\(request.amountText.oneLine)) as \(person.displayName.oneLine), \(person.role); published \(schema.type) to \(published.topic)/\(published.partition)@\(published.offset)")
    }
}
