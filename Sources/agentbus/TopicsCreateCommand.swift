import AgentBus
import ArgumentParser
import Kafka

struct TopicsCreateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create the topics AgentBus uses; existing ones are left as they are.",
        discussion: """
            Creates every event topic of the schema catalog, for each --agent its retry topics \
            (<agent>.retry.<delay>, one per distinct --retry-delays delay), <agent>.dlt, \
            <agent>.timers and <agent>.state (compacted), and the runtime topics agentbus.activity, \
            agentbus.heartbeats, agentbus.registry (compacted) and agentbus.control. Prints one line per topic, `created` or `already \
            exists`, and exits 0 when every topic exists afterwards, so it is safe to run again.

            On Kafka it uses the Admin API. On the embedded cluster (found through a dev-broker's \
            bootstrap file), which has no Admin API, the dev-broker creates them, through its \
            control socket.

            Example: agentbus topics create --agent loan-scorer --agent loan-decider --retry-delays 10s,60s \
            --partitions 6 --replication 3
            """
    )

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var schemaOptions: SchemaOptions

    @Option(name: .customLong("agent"), help: ArgumentHelp(
        "An agent whose retry, dead-letter, timer, state and journal topics to create (repeatable).", valueName: "name"))
    var agents: [String] = []

    @OptionGroup var retryTiers: RetryTierOptions

    @Option(name: .long, help: "Partitions of each topic created.")
    var partitions: Int = 3

    @Option(name: .long, help: "Replication factor of each topic created (a production cluster wants 3).")
    var replication: Int = 1

    @Option(name: .long, help: ArgumentHelp(
        "How long agents' effect journals keep an entry, in days: events older than this that are redelivered or redriven run their effects again.",
        valueName: "days"))
    var journalRetention: Int = 7

    func validate() throws {
        guard journalRetention >= 1 else { throw ValidationError("--journal-retention takes a whole number of days, at least 1") }
        guard partitions >= 1 else { throw ValidationError("--partitions takes a whole number of at least 1") }
        guard replication >= 1 else { throw ValidationError("--replication takes a whole number of at least 1") }
    }

    /// What happened to one topic.
    private enum Outcome {
        case created
        case exists
        case failed(String)
    }

    func run() async throws {
        for agent in agents {
            if let problem = AgentTopics.problem(withAgentName: agent) {
                Output.error("agentbus topics create: \(problem)")
                throw ExitCode.failure
            }
        }
        let topics = try wantedTopics()
        let endpoint = connection.endpoint
        let outcomes: [Outcome]
        if case .devBroker(let path) = endpoint.source {
            outcomes = try await createOnDevBroker(topics, socketPath: DevBrokerControlServer.socketPath(forBootstrapFile: path))
        } else {
            outcomes = try await createWithAdminAPI(topics)
        }

        var failures = 0
        for (topic, outcome) in zip(topics, outcomes) {
            switch outcome {
            case .created: Output.line("\(topic.name): created (\(topic.partitions) partitions, replication \(topic.replicationFactor))")
            case .exists: Output.line("\(topic.name): already exists")
            case .failed(let reason):
                Output.error("agentbus topics create: \(topic.name): \(reason)")
                failures += 1
            }
        }
        let created = outcomes.filter { if case .created = $0 { true } else { false } }.count
        Output.error(
            "agentbus topics create: \(topics.count) topic(s) on \(endpoint.bootstrapServers.joined(separator: ",")): "
                + "\(created) created, \(topics.count - created - failures) already existed"
                + (failures > 0 ? ", \(failures) failed" : ""))
        if failures > 0 { throw ExitCode.failure }
    }

    /// The catalog's event topics, then each agent's retry, dead-letter, timer and state topics, then the
    /// runtime topics; each once.
    private func wantedTopics() throws -> [KafkaTopicSpecification] {
        var names: [String] = []
        do {
            names = try schemaOptions.directory.load().topics
        } catch {
            // Without a catalog there are no event topics to create, but the rest is still
            // worth creating; a catalog that was named, or that is broken, is an error.
            let missingDefault = schemaOptions.directory.source == .workingDirectory
                && error.problems.first?.message.hasPrefix("no such schema directory") == true
            if missingDefault {
                Output.error("agentbus topics create: no ./schemas here, so no event topics (pass --schemas DIR for them)")
            } else {
                names = try schemaOptions.load(command: "topics create").topics  // prints each problem, exits 1
            }
        }
        for agent in agents { names += try retryTiers.topics(of: agent) + AgentTopics.owned(by: agent) }
        names += AgentTopics.runtime
        var seen = Set<String>()
        return names.filter { seen.insert($0).inserted }.map { name in
            // The registry, timers and state keep each key's latest record: compaction keeps
            // one per key for ever. A journal's keys are event IDs, a new one per event, so it
            // is also trimmed by age.
            var configs: [String: String] = AgentTopics.isCompacted(name) ? ["cleanup.policy": "compact"] : [:]
            if name.hasSuffix(".journal") {
                configs["cleanup.policy"] = "compact,delete"
                configs["retention.ms"] = String(Int64(journalRetention) * 86_400_000)
            }
            return KafkaTopicSpecification(
                name: name, partitions: partitions, replicationFactor: replication, configs: configs)
        }
    }

    private func createOnDevBroker(_ topics: [KafkaTopicSpecification], socketPath: String) async throws -> [Outcome] {
        let requests = topics.map {
            DevBrokerControlClient.TopicRequest(name: $0.name, partitions: $0.partitions, replication: $0.replicationFactor)
        }
        let answers: [DevBrokerControlClient.Answer]
        do {
            answers = try await DevBrokerControlClient.createTopics(requests, socketPath: socketPath)
        } catch {
            Output.error("agentbus topics create: nothing was created: \(error)")
            throw ExitCode.failure
        }
        return answers.map { answer in
            switch answer {
            case .created: .created
            case .exists: .exists
            case .failed(let reason): .failed(reason)
            }
        }
    }

    private func createWithAdminAPI(_ topics: [KafkaTopicSpecification]) async throws -> [Outcome] {
        let admin = try KafkaAdmin(
            configuration: try connection.adminConfiguration(), logger: ConnectionOptions.quietLogger("agentbus.topics"))
        defer { admin.close() }
        do {
            _ = try await admin.topics(timeout: .seconds(5))
        } catch {
            Output.error("agentbus topics create: nothing was created: \(error.message)")
            throw ExitCode.failure
        }
        // One request per topic, so every topic gets its own answer even when one fails; but a
        // failure of the request itself (no controller, no connection) would fail every topic
        // the same way, slowly, so it ends the run at once.
        var outcomes: [Outcome] = []
        for topic in topics {
            do {
                switch try await admin.createTopics([topic], timeout: .seconds(15)).first {
                case .alreadyExists: outcomes.append(.exists)
                case .created, nil: outcomes.append(.created)
                }
            } catch where [.timedOut, .transport, .authentication, .configuration].contains(error.code) {
                let hint = outcomes.isEmpty
                    ? " (an agentbus dev-broker has no Admin API: reach it through its bootstrap file, not --brokers)" : ""
                Output.error(
                    "agentbus topics create: \(outcomes.isEmpty ? "nothing was created" : "stopped at \(topic.name)"): "
                        + error.message + hint)
                throw ExitCode.failure
            } catch {
                outcomes.append(.failed(error.message))
            }
        }
        return outcomes
    }
}
