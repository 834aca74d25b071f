import AgentBus
import AgentBusReplay
import ArgumentParser
import Kafka

/// The approval requests and decisions of the catalog's approval gates, read from their topics
/// from the beginning to the current end and folded into an ``ApprovalBook``.
struct ApprovalLog {
    let gates: [ApprovalEventTypes]
    let topics: [String]
    let book: ApprovalBook

    /// The catalog's gates: every `*.approval.requested.v*` type; none is an error.
    static func gates(in registry: SchemaRegistry, catalog: String, command: String) throws -> [ApprovalEventTypes] {
        let gates = ApprovalEventTypes.all(in: registry.eventTypes)
        guard !gates.isEmpty else {
            Output.error("agentbus \(command): \(catalog) has no approval request type (*.approval.requested.v<N>)")
            throw ExitCode.failure
        }
        return gates
    }

    /// Reads the gates' topics; a failed read is one line and exit code 1. Records that are not
    /// events of the gates are passed over; approval events that cannot be read are counted in
    /// one line on stderr.
    static func read(
        gates: [ApprovalEventTypes], registry: SchemaRegistry, connection: ConnectionOptions, command: String
    ) async throws -> ApprovalLog {
        do {
            let (log, unreadable) = try await read(gates: gates, registry: registry, connection: connection)
            if let first = unreadable.first {
                Output.error("agentbus \(command): skipped \(unreadable.count) approval event(s) that cannot be read, first \(first)")
            }
            return log
        } catch {
            Output.error("agentbus \(command): \(error.message)")
            throw ExitCode.failure
        }
    }

    /// The log, and where and why each approval event that cannot be read is.
    static func read(gates: [ApprovalEventTypes], registry: SchemaRegistry, connection: ConnectionOptions)
        async throws(KafkaError) -> (log: ApprovalLog, unreadable: [String])
    {
        let types = gates.flatMap { [$0.requested, $0.granted, $0.rejected] }
        let topics = Set(types.compactMap { registry.eventSchema(for: $0)?.topic }).sorted()
        let reader: TopicSnapshotReader
        do {
            reader = try connection.snapshotReader(logger: ConnectionOptions.quietLogger("agentbus.approvals"))
        } catch {
            throw KafkaError(code: .configuration, message: "\(error)")
        }
        let snapshot = try await reader.read(topics)
        var book = ApprovalBook()
        var unreadable: [String] = []
        // In partition and offset order: a request and its decisions share a key, so a partition,
        // and this is the order every reader sees them in.
        for topic in topics {
            for record in snapshot[topic] {
                guard let envelope = try? EventEnvelope(record: record) else { continue }
                for gate in gates {
                    do {
                        if envelope.type == gate.requested {
                            book.record(try ApprovalRequest(envelope: envelope))
                        } else if let outcome = gate.outcome(of: envelope.type) {
                            book.record(try ApprovalDecision(envelope: envelope, outcome: outcome))
                        }
                    } catch {
                        unreadable.append("\(topic)/\(record.partition)/\(record.offset): \(error)")
                    }
                }
            }
        }
        return (ApprovalLog(gates: gates, topics: topics, book: book), unreadable)
    }
}
