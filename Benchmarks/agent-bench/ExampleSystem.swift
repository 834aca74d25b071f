import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The example loan system (Examples/) as `make demo` and `make chaos` run it, for the
/// end-to-end part: every example agent in a process of its own (credit-check twice), the
/// supervisor watching them, and the tests' model stub answering the explainer, all against one
/// ``DevBroker`` whose bootstrap file they are given (so they tune their clients for the embedded
/// cluster, as under `make demo`).
///
/// Every simulated latency is set to 0 with its flag (the outside services the agents stand in
/// for answer at once); the aggregator's deadline and the decision agent's rules keep their
/// defaults. Each process's standard error goes to a file in a directory of its own, which is
/// how readiness is seen (the runtime logs `partitions assigned` once its group is joined).
final class ExampleSystem {
    /// The agents, in the order of the workflow; `instances` counts the processes of each.
    static let agents: [(name: String, instances: Int, flags: [String])] = [
        ("intake", 1, ["--latency-ms", "0"]),
        ("document-extraction", 1, ["--latency-per-page-ms", "0"]),
        ("credit-check", 2, ["--bureau-latency", "0"]),
        ("fraud-check", 1, ["--latency-ms", "0"]),
        ("aggregator", 1, []),
        ("risk-scorer", 1, ["--latency-ms", "0"]),
        ("decision", 1, ["--latency-ms", "0"]),
        ("notifier", 1, ["--provider-latency-ms", "0"]),
        ("explainer", 1, []),
    ]

    /// The longest chain of handlings from an application to its notification: intake, one of
    /// the three checks (they run side by side), the aggregator's fan-in, risk-scorer, decision,
    /// notifier. The raw baseline chains as many relays.
    static let criticalPath = ["intake", "a check", "aggregator", "risk-scorer", "decision", "notifier"]

    /// The workflow's first event and its last (the notifier's), and their topics.
    static let submittedType = "dev.agentbus.loan.application.submitted.v1"
    static let notifiedType = "dev.agentbus.loan.notification.sent.v1"
    static let inputTopic = "loan.intake"
    static let outputTopic = "loan.notifications"

    /// One process: its name (`credit-check-2`), and where its standard error goes.
    struct Instance {
        let name: String
        let process: Process
        let log: URL
        /// Whether readiness waits for it (every agent; not the supervisor).
        let isAgent: Bool
    }

    let instances: [Instance]
    private let directory: URL
    private let stub: ModelStub

    /// Starts the model stub and every process; returns once each has started (not joined).
    ///
    /// - Parameters:
    ///   - executables: the directory holding the example executables (release builds).
    ///   - fetchWaitMilliseconds: every agent's `fetch.wait.max.ms` (`-X`), as the raw relays'.
    init(executables: String, broker: DevBroker, schemas: String, modelStub: String, fetchWaitMilliseconds: Int) throws {
        let missing = (Self.agents.map(\.name) + ["supervisor"]).filter {
            !FileManager.default.isExecutableFile(atPath: "\(executables)/\($0)")
        }
        guard missing.isEmpty else {
            throw BenchError(
                "no \(missing.joined(separator: ", ")) in \(executables): build the examples first "
                    + "(make bench-build) or pass --examples")
        }
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("agent-bench-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        stub = try ModelStub(script: modelStub, latencyMilliseconds: 0)

        // Five produce requests in flight, as on a real cluster and as the raw relays have: agents
        // that find the embedded cluster keep one (it checks no idempotent sequence numbers, which
        // matters only when produce errors are injected, and none are here).
        let common = [
            "--bootstrap-file", broker.bootstrapFile, "-X", "fetch.wait.max.ms=\(fetchWaitMilliseconds)",
            "-X", "max.in.flight.requests.per.connection=5",
        ]
        var launches: [(name: String, executable: String, arguments: [String], isAgent: Bool)] = []
        for agent in Self.agents {
            for number in 1...agent.instances {
                let name = agent.instances == 1 ? agent.name : "\(agent.name)-\(number)"
                let model = agent.name == "explainer" ? ["--model-url", stub.baseURL, "--model", "stub"] : []
                launches.append((name, agent.name, ["--instance-id", name] + common + agent.flags + model, true))
            }
        }
        launches.append((
            "supervisor", "supervisor",
            ["--instance-id", "supervisor", "--bootstrap-file", broker.bootstrapFile, "--terminal-type", Self.notifiedType,
             "--schemas", schemas],
            false))

        var started: [Instance] = []
        do {
            for launch in launches {
                let log = directory.appendingPathComponent("\(launch.name).err")
                _ = FileManager.default.createFile(atPath: log.path, contents: nil)
                let process = Process()
                process.executableURL = URL(fileURLWithPath: "\(executables)/\(launch.executable)")
                process.arguments = launch.arguments
                process.standardOutput = FileHandle.nullDevice
                process.standardError = try FileHandle(forWritingTo: log)
                process.standardInput = FileHandle.nullDevice
                try process.run()
                started.append(Instance(name: launch.name, process: process, log: log, isAgent: launch.isAgent))
            }
        } catch {
            for instance in started { kill(instance.process.processIdentifier, SIGKILL) }
            stub.stop()
            throw error
        }
        instances = started
    }

    /// Waits until every agent instance has joined its group (`partitions assigned` in its log),
    /// credit-check's second instance included, whose join rebalances the first: measuring
    /// before then would time that rebalance.
    func waitUntilJoined(seconds: Int) async throws {
        let giveUp = ContinuousClock.now + .seconds(seconds)
        var waiting = instances.filter(\.isAgent)
        while !waiting.isEmpty {
            if let ended = instances.first(where: { !$0.process.isRunning }) {
                throw BenchError(
                    "\(ended.name) exited (status \(ended.process.terminationStatus)): \(tail(ended)) (logs in \(directory.path))")
            }
            guard ContinuousClock.now < giveUp else {
                throw BenchError(
                    "\(waiting.map(\.name).joined(separator: ", ")) did not join within \(seconds) s (logs in \(directory.path))")
            }
            waiting.removeAll { instance in
                ((try? String(contentsOf: instance.log, encoding: .utf8)) ?? "").contains("partitions assigned")
            }
            try? await Task.sleep(for: .milliseconds(100))
        }
    }

    /// CPU seconds (user + system) every process of the system has used so far, the model stub's
    /// left out.
    func cpuSeconds() -> Double { cpuSecondsByInstance().values.reduce(0, +) }

    /// CPU seconds each process has used so far, by instance name.
    func cpuSecondsByInstance() -> [String: Double] {
        Dictionary(uniqueKeysWithValues: instances.map { ($0.name, processCPUSeconds($0.process.processIdentifier)) })
    }

    /// SIGTERM to every process, then waits for each (a graceful stop); the stub last. Throws if
    /// a process had ended before, keeping the logs; removes them otherwise.
    func stop() throws {
        let ended = instances.filter { !$0.process.isRunning }
        for instance in instances where instance.process.isRunning {
            kill(instance.process.processIdentifier, SIGTERM)
        }
        for instance in instances { instance.process.waitUntilExit() }
        stub.stop()
        if let first = ended.first {
            throw BenchError(
                "\(first.name) ended during the run (status \(first.process.terminationStatus)): \(tail(first)) "
                    + "(logs in \(directory.path))")
        }
        try? FileManager.default.removeItem(at: directory)
    }

    deinit {
        for instance in instances where instance.process.isRunning {
            kill(instance.process.processIdentifier, SIGKILL)
        }
    }

    /// The last line of an instance's log, for an error message.
    private func tail(_ instance: Instance) -> String {
        let text = (try? String(contentsOf: instance.log, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").last.map(String.init) ?? "(its log is empty)"
    }
}
