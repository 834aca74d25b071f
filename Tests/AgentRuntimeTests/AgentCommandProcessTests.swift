import AgentBus
import Foundation
import LoanEvents
import TestSupport
import Testing

extension AgentRuntimeTests {
    /// Agent executables as their users run them: from any directory, with their own options,
    /// and with the exit statuses the docs promise.
    @Suite("Agent executables")
    struct AgentCommandProcessTests {
        /// Runs `executable` (a product of this build) from `directory`, with no `AGENTBUS_SCHEMAS`.
        static func start(
            _ executable: String, in directory: String, _ arguments: [String], environment: [String: String] = [:]
        ) throws -> ChildProcess {
            let script = #"cd "$1" && shift && unset AGENTBUS_SCHEMAS && exec "$@""#
            return try ChildProcess(
                ["-c", script, "sh", directory, Paths.product(executable)] + arguments, executable: "/bin/sh",
                environment: environment, capturingStandardError: true)
        }

        static func emptyDirectory() throws -> String {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("agentbus-cwd-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            return directory.path
        }

        @Test("credit-check runs from a directory without schemas/ or AGENTBUS_SCHEMAS: its catalog is built in")
        func embeddedCatalog() async throws {
            let directory = try Self.emptyDirectory()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            #expect(!FileManager.default.fileExists(atPath: directory + "/schemas"))
            let broker = try await DevBrokerProcess.start(schemas: Paths.loanSchemas, arguments: ["--agent", "credit-check"])
            let agent = try Self.start(
                "credit-check", in: directory,
                ["--bootstrap-file", broker.bootstrapFile, "--instance-id", "anywhere-1", "--bureau-latency", "5"])
            let assigned = await agent.waitForErrorLines { $0.contains { $0.contains(AgentProcess.assignedLine) } }
            let log = { agent.errorLines.suffix(25).joined(separator: "\n") }
            #expect(assigned, "credit-check did not start\n\(log())")
            #expect(agent.errorLines.contains { $0.contains("agent started") && $0.contains("<embedded in LoanEvents>") }, "\(log())")

            // It handles an application with the embedded catalog, too.
            let watcher = try await TopicWatcher.start(["loan.checks"], broker: broker)
            let publisher = try TestPublisher(broker: broker, schemas: Paths.loanSchemas)
            try await publisher.send(publisher.root(ApplicationReceived.eventType, try ApplicationReceived.examples[0].jsonPayload()))
            await publisher.close()
            let checked = await watcher.waitFor(timeout: .seconds(60)) { $0.count("loan.checks") >= 1 }
            #expect(checked, "no credit.checked\n\(log())")
            await watcher.stop()

            agent.signal(SIGTERM)
            #expect(await agent.waitForExit() == 0, "\(log())")
            await broker.stop()
        }

        @Test("tuned the usual Kafka way (--brokers and -X session.timeout.ms=6000), an agent stays in its group")
        func sessionThroughProperties() async throws {
            let directory = try Self.emptyDirectory()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let broker = try await DevBrokerProcess.start(
                brokers: 3, schemas: Paths.loanSchemas, arguments: ["--agent", "credit-check"])
            // --brokers, not the bootstrap file: the agent does not know this is the embedded
            // cluster, so only the -X settings shorten its session and fetch wait.
            let agent = try Self.start(
                "credit-check", in: directory,
                ["--brokers", broker.bootstrapServers, "-X", "session.timeout.ms=6000", "-X", "fetch.wait.max.ms=5"])
            let log = { agent.errorLines.suffix(25).joined(separator: "\n") }
            #expect(await agent.waitForErrorLines { $0.contains { $0.contains(AgentProcess.assignedLine) } }, "\(log())")
            // With a heartbeat derived from the 45 s default session (15 s), the 6 s session
            // expired after each join and the agent revoked everything and rejoined.
            let revoked = await agent.waitForErrorLines(timeout: .seconds(15)) { lines in
                lines.contains { $0.contains("partitions revoked") }
            }
            #expect(!revoked, "the agent lost its group\n\(log())")
            agent.signal(SIGTERM)
            #expect(await agent.waitForExit() == 0, "\(log())")
            await broker.stop()
        }

        @Test("bad usage exits 64 with one line and the usage; --help lists the agent's and the runtime's options")
        func usage() async throws {
            let directory = try Self.emptyDirectory()
            defer { try? FileManager.default.removeItem(atPath: directory) }

            let badFlag = try Self.start("credit-check", in: directory, ["--concurrency", "0"])
            #expect(await badFlag.waitForExit() == 64)
            #expect(badFlag.errorLines.first == "Error: concurrency must be a whole number of at least 1, got \"0\"", "\(badFlag.errorLines)")
            #expect(badFlag.errorLines.contains { $0.hasPrefix("Usage: credit-check") }, "\(badFlag.errorLines)")

            let badVariable = try Self.start(
                "credit-check", in: directory, ["--brokers", "127.0.0.1:1"],
                environment: ["CREDIT_CHECK_BUREAU_LATENCY_MS": "slow"])
            #expect(await badVariable.waitForExit() == 64)
            #expect(badVariable.errorLines.first == "Error: CREDIT_CHECK_BUREAU_LATENCY_MS must be an Int, got \"slow\"",
                "\(badVariable.errorLines)")

            let noCatalog = try Self.start("agentbus-test-agent", in: directory, ["--brokers", "127.0.0.1:1"])
            #expect(await noCatalog.waitForExit() == 2)
            #expect(noCatalog.errorLines.last?.contains("no such schema directory (from ./schemas") == true, "\(noCatalog.errorLines)")

            let help = try Self.start("credit-check", in: directory, ["--help"])
            #expect(await help.waitForExit() == 0)
            let text = help.lines.joined(separator: "\n")
            for option in ["--bureau-latency", "CREDIT_CHECK_BUREAU_LATENCY_MS", "--brokers", "AGENTBUS_BROKERS", "--log-level"] {
                #expect(text.contains(option), "help lacks \(option)")
            }
        }
    }
}
