import Foundation
import TestSupport

/// Paths the tests need: the repository's schema catalogs and the agent executables of this build.
enum Paths {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    /// The test agent's catalog: test.agentbus.work/done/ping/pong/left/right.
    static let fixtureSchemas = repository.appendingPathComponent("Tests/Fixtures/schemas").path
    /// The example system's catalog (loan events).
    static let loanSchemas = repository.appendingPathComponent("schemas").path

    static func product(_ name: String) -> String { ChildProcess.productsDirectory.appendingPathComponent(name).path }
}

/// One agent instance as a real process against a dev-broker, its log (stderr) captured so the
/// test can wait for what it says.
final class AgentProcess: Sendable {
    let executable: String
    let instance: String
    let child: ChildProcess

    /// Starts `executable` (a product of this build) as instance `instance`.
    init(
        _ executable: String, instance: String, broker: DevBrokerProcess, schemas: String,
        environment: [String: String] = [:], heartbeatInterval: Double = 5, arguments extra: [String] = []
    ) throws {
        self.executable = executable
        self.instance = instance
        child = try ChildProcess(
            [
                "--bootstrap-file", broker.bootstrapFile, "--schemas", schemas, "--instance-id", instance,
                "--heartbeat-interval", String(heartbeatInterval),
            ] + extra,
            executable: Paths.product(executable), environment: environment, capturingStandardError: true)
    }

    /// The test agent (`agentbus-test-agent`) in `role` (worker, sink, ping, pong, fanout, left,
    /// right, timer, slow).
    static func testAgent(
        role: String, instance: String, broker: DevBrokerProcess, environment: [String: String] = [:],
        heartbeatInterval: Double = 5, arguments: [String] = []
    ) throws -> AgentProcess {
        try AgentProcess(
            "agentbus-test-agent", instance: instance, broker: broker, schemas: Paths.fixtureSchemas,
            environment: environment.merging(["AGENTBUS_TEST_ROLE": role]) { $1 }, heartbeatInterval: heartbeatInterval,
            arguments: arguments)
    }

    var log: [String] { child.errorLines }

    /// The last lines of the log, for failure messages.
    var tail: String { "\(instance) log:\n" + log.suffix(25).joined(separator: "\n") }

    /// How many log lines contain `text`.
    func count(_ text: String) -> Int { log.count { $0.contains(text) } }

    /// Waits until the log has at least `count` lines containing `text`.
    @discardableResult
    func waitFor(_ text: String, count: Int = 1, timeout: Duration = .seconds(60)) async -> Bool {
        await child.waitForErrorLines(timeout: timeout) { lines in lines.count { $0.contains(text) } >= count }
    }

    /// What the runtime logs (at info) when its consumer is given partitions; librdkafka's own
    /// debug lines say "partitions assigned" too, hence the logger's label.
    static let assignedLine = "[AgentBus] partitions assigned"

    /// Waits for the instance's (next) partition assignment: it is in its group and reading.
    func waitUntilAssigned(count: Int = 1) async throws {
        guard await waitFor(Self.assignedLine, count: count) else {
            throw TestFailure("\(instance) was not assigned partitions\n\(tail)")
        }
    }

    /// SIGTERM, then the exit status once it is gone.
    func stop() async -> Int32 {
        child.signal(SIGTERM)
        return await child.waitForExit()
    }

    /// SIGKILL: a crash, no chance to commit or flush.
    func kill() async {
        child.signal(SIGKILL)
        _ = await child.waitForExit()
    }
}

/// Stops every agent (SIGTERM) and then the broker; for the end of a test.
func stopAll(_ agents: [AgentProcess], _ broker: DevBrokerProcess) async {
    await withTaskGroup(of: Void.self) { group in
        for agent in agents { group.addTask { _ = await agent.stop() } }
    }
    await broker.stop()
}

extension AgentProcess {
    /// Waits until the logs of all `agents` together satisfy `predicate`, re-checking whenever
    /// any of them logs a line.
    static func waitUntil(
        _ agents: [AgentProcess], timeout: Duration = .seconds(60), _ predicate: @escaping @Sendable ([[String]]) -> Bool
    ) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while true {
            let snapshot = agents.map(\.log)
            if predicate(snapshot) { return true }
            let remaining = deadline - .now
            if remaining <= .zero { return false }
            let loggedMore = await withTaskGroup(of: Bool.self) { group in
                for (agent, lines) in zip(agents, snapshot) {
                    let seen = lines.count
                    group.addTask { await agent.child.waitForErrorLines(timeout: remaining) { $0.count > seen } }
                }
                var any = false
                for await logged in group where logged {
                    any = true
                    break
                }
                group.cancelAll()
                return any
            }
            if !loggedMore { return predicate(agents.map(\.log)) }
        }
    }
}
