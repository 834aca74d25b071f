@testable import AgentBus
import ArgumentParser
import Testing

@Suite("Agent configuration from flags and environment")
struct AgentRuntimeConfigurationTests {
    /// An agent executable as an author writes one: the runtime's options and one of its own.
    struct Command: AgentCommand {
        static let configuration = CommandConfiguration(commandName: "config-test")
        @OptionGroup(title: "Runtime options") var runtime: AgentOptions
        @Option(help: "Triage threshold. Default: $TRIAGE_THRESHOLD, then 0.5.") var threshold: Double?

        func makeAgent(services: inout AgentServices) async throws -> AgentRuntimeInProcessTests.Worker {
            AgentRuntimeInProcessTests.Worker()
        }
    }

    func resolve(_ arguments: [String], _ environment: [String: String] = [:]) throws -> AgentRuntimeConfiguration {
        try Command.parse(arguments).runtime.configuration(environment: environment)
    }

    @Test("flags win over the environment, which wins over defaults")
    func precedence() throws {
        let environment = [
            "AGENTBUS_BROKERS": "env:9092", "AGENTBUS_INSTANCE_ID": "env-1", "AGENTBUS_CONCURRENCY": "4",
            "AGENTBUS_SCHEMAS": "/env/schemas", "AGENTBUS_HEARTBEAT_INTERVAL": "2", "AGENTBUS_SHUTDOWN_DEADLINE": "3",
            "AGENTBUS_LOG_LEVEL": "debug", "AGENTBUS_REVOKE_DEADLINE": "4",
        ]
        let fromEnvironment = try resolve([], environment)
        #expect(fromEnvironment.brokers.bootstrapServers == ["env:9092"])
        #expect(fromEnvironment.instanceID == "env-1")
        #expect(fromEnvironment.concurrency == 4)
        #expect(fromEnvironment.schemas.path == "/env/schemas")
        #expect(fromEnvironment.heartbeatInterval == .seconds(2))
        #expect(fromEnvironment.shutdownDeadline == .seconds(3))
        #expect(fromEnvironment.revokeDeadline == .seconds(4))
        #expect(try Command.parse([]).runtime.logLevel(environment: environment) == .debug)

        let flags = [
            "--brokers", "a:1,b:2", "--instance-id=flag-1", "--concurrency", "9", "--schemas", "/flag",
            "-X", "fetch.wait.max.ms=1", "--heartbeat-interval", "0.5", "--shutdown-deadline", "1.5", "--log-level", "ERROR",
            "--revoke-deadline", "0.25",
        ]
        let fromFlags = try resolve(flags, environment)
        #expect(fromFlags.brokers.bootstrapServers == ["a:1", "b:2"])
        #expect(fromFlags.instanceID == "flag-1")
        #expect(fromFlags.concurrency == 9)
        #expect(fromFlags.schemas.path == "/flag")
        #expect(fromFlags.properties == ["fetch.wait.max.ms": "1"])
        #expect(fromFlags.heartbeatInterval == .milliseconds(500))
        #expect(fromFlags.shutdownDeadline == .milliseconds(1500))
        #expect(fromFlags.revokeDeadline == .milliseconds(250))
        #expect(try Command.parse(flags).runtime.logLevel(environment: environment) == .error)

        let defaults = try resolve(["--brokers", "a:1"])
        #expect(defaults.concurrency == nil)
        #expect(defaults.heartbeatInterval == .seconds(5))
        #expect(defaults.shutdownDeadline == .seconds(10))
        #expect(defaults.revokeDeadline == .seconds(10))
        #expect(defaults.schemas == SchemaDirectory(path: "schemas", source: .workingDirectory))
        #expect(try Command.parse([]).runtime.logLevel(environment: [:]) == .info)
    }

    @Test("--help lists the agent's own options and the runtime's, each with its environment variable")
    func help() {
        let help = Command.helpMessage(columns: 200)
        for text in [
            "--threshold", "TRIAGE_THRESHOLD", "--brokers", "AGENTBUS_BROKERS", "--bootstrap-file", "--property",
            "--instance-id", "AGENTBUS_INSTANCE_ID", "--concurrency", "AGENTBUS_CONCURRENCY", "--schemas",
            "AGENTBUS_SCHEMAS", "--heartbeat-interval", "AGENTBUS_HEARTBEAT_INTERVAL", "--shutdown-deadline",
            "AGENTBUS_SHUTDOWN_DEADLINE", "--revoke-deadline", "AGENTBUS_REVOKE_DEADLINE", "--log-level", "AGENTBUS_LOG_LEVEL", "RUNTIME OPTIONS",
        ] {
            #expect(help.contains(text), "help lacks \(text)")
        }
    }

    @Test("a bad flag is one clear usage error naming it", arguments: [
        (["--nope"], "Unknown option '--nope'"),
        (["--concurrency"], "Missing value for '--concurrency <n>'"),
        (["--concurrency", "0"], "concurrency must be a whole number of at least 1, got \"0\""),
        (["-X", "novalue"], "-X takes key=value, got \"novalue\""),
        (["--property=novalue"], "-X takes key=value, got \"novalue\""),
        (["--heartbeat-interval", "0"], "heartbeat interval must be a number of seconds above 0, got \"0\""),
        (["--shutdown-deadline", "soon"], "shutdown deadline must be a number of seconds above 0, got \"soon\""),
        (["--revoke-deadline", "0"], "revoke deadline must be a number of seconds above 0, got \"0\""),
        (["--log-level", "loud"], "log level must be one of trace, debug, info, notice, warning, error, critical, got \"loud\""),
    ])
    func flagErrors(arguments: [String], message: String) {
        do {
            _ = try Command.parseAsRoot(arguments)
            Issue.record("\(arguments) parsed")
        } catch {
            #expect(Command.message(for: error).hasPrefix(message), "\(Command.message(for: error))")
            #expect(Command.exitCode(for: error) == .validationFailure)
        }
    }

    @Test("a bad environment variable is one clear error naming it", arguments: [
        (["AGENTBUS_CONCURRENCY": "zero"], "concurrency must be a whole number of at least 1, got \"zero\""),
        (["AGENTBUS_HEARTBEAT_INTERVAL": "-1"], "heartbeat interval must be a number of seconds above 0, got \"-1\""),
        (["AGENTBUS_SHUTDOWN_DEADLINE": "0"], "shutdown deadline must be a number of seconds above 0, got \"0\""),
    ])
    func environmentErrors(environment: [String: String], message: String) throws {
        let options = try Command.parse([]).runtime
        #expect(throws: AgentConfigurationError(message)) { try options.configuration(environment: environment) }
        #expect(throws: AgentConfigurationError(
            "log level must be one of trace, debug, info, notice, warning, error, critical, got \"loud\"")
        ) { try options.logLevel(environment: ["AGENTBUS_LOG_LEVEL": "loud"]) }
    }

    @Test("an agent's own variable: unset is nil, a good value parses, a bad one names the variable")
    func agentEnvironment() throws {
        #expect(try AgentEnvironment.value("TRIAGE_THRESHOLD", as: Double.self, environment: [:]) == nil)
        #expect(try AgentEnvironment.value("TRIAGE_THRESHOLD", as: Double.self, environment: ["TRIAGE_THRESHOLD": ""]) == nil)
        #expect(try AgentEnvironment.value("TRIAGE_THRESHOLD", as: Double.self, environment: ["TRIAGE_THRESHOLD": "0.7"]) == 0.7)
        #expect(throws: AgentConfigurationError("TRIAGE_THRESHOLD must be a Double, got \"high\"")) {
            try AgentEnvironment.value("TRIAGE_THRESHOLD", as: Double.self, environment: ["TRIAGE_THRESHOLD": "high"])
        }
        #expect(throws: AgentConfigurationError("LATENCY_MS must be an Int, got \"1.5\"")) {
            try AgentEnvironment.value("LATENCY_MS", as: Int.self, environment: ["LATENCY_MS": "1.5"])
        }
    }

    @Test("the connection flags: brokers, bootstrap file and -X, as the CLI takes them")
    func connectionOptions() throws {
        let options = try ConnectionOptions.parse(["--brokers", "k1:9092, k2:9092", "-X", "a=b", "--property", "c=d=e"])
        #expect(options.endpoint(environment: ["AGENTBUS_BROKERS": "env:1"]).bootstrapServers == ["k1:9092", "k2:9092"])
        #expect(try options.librdkafkaProperties() == ["a": "b", "c": "d=e"])
        let environment = try ConnectionOptions.parse([]).endpoint(environment: ["AGENTBUS_BROKERS": "env:1"])
        #expect(environment.bootstrapServers == ["env:1"])
        #expect(environment.source == .environment)
        do {
            _ = try ConnectionOptions.parse(["-X", "=b"])
            Issue.record("-X =b parsed")
        } catch {
            #expect(ConnectionOptions.message(for: error) == "-X takes key=value, got \"=b\"")
        }
    }

    @Test("agent names are checked: they name a group and topics")
    func agentNames() {
        #expect(AgentTopics.problem(withAgentName: "credit-check") == nil)
        #expect(AgentTopics.problem(withAgentName: "") != nil)
        #expect(AgentTopics.problem(withAgentName: "Credit") != nil)
        #expect(AgentTopics.problem(withAgentName: "9lives") != nil)
        #expect(AgentTopics.problem(withAgentName: "a.b") != nil)
        #expect(AgentTopics.deadLetter(of: "credit-check") == "credit-check.dlt")
    }

    @Test("retry topics are named by their delay tier: whole seconds as s, else ms; equal delays share a tier")
    func retryTierNames() {
        #expect(AgentTopics.retry(of: "credit-check", delay: .seconds(10)) == "credit-check.retry.10s")
        #expect(AgentTopics.retry(of: "credit-check", delay: .seconds(60)) == "credit-check.retry.60s")
        #expect(AgentTopics.retry(of: "credit-check", delay: .milliseconds(1500)) == "credit-check.retry.1500ms")
        #expect(AgentTopics.retry(of: "credit-check", delay: .milliseconds(200)) == "credit-check.retry.200ms")
        #expect(AgentTopics.retry(of: "credit-check", delay: .zero) == "credit-check.retry.0s")
        // Below a millisecond is rounded down, as the due time is.
        #expect(AgentTopics.retry(of: "a", delay: .microseconds(2500)) == "a.retry.2ms")

        #expect(AgentTopics.retryTiers(of: "a", delays: [.seconds(60), .seconds(10), .milliseconds(10_000), .seconds(60)])
            == ["a.retry.10s", "a.retry.60s"])
        #expect(AgentTopics.retryTiers(of: "a", delays: RetryPolicy().retryTopicDelays) == ["a.retry.10s", "a.retry.60s"])
        #expect(AgentTopics.retryTiers(of: "a", delays: []) == ["a.retry.0s"], "an agent without delays reads one tier, for redrives")

        // Read back: only names AgentBus spells.
        #expect(AgentTopics.retryTier("credit-check.retry.10s")?.agent == "credit-check")
        #expect(AgentTopics.retryTier("credit-check.retry.10s")?.delay == .seconds(10))
        #expect(AgentTopics.retryTier("credit-check.retry.1500ms")?.delay == .milliseconds(1500))
        for other in [
            "credit-check.retry", "credit-check.dlt", "credit-check.retry.10000ms", "credit-check.retry.010s",
            "credit-check.retry.+10s", "credit-check.retry.10", "credit-check.retry.s", "Credit.retry.10s", "loan.applications",
            "credit-check.retry.10s.x",
        ] {
            #expect(AgentTopics.retryTier(other) == nil, "\(other)")
        }
    }
}
