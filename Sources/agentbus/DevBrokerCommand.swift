import AgentBus
import ArgumentParser
import Kafka

#if canImport(Glibc)
import Glibc
import JSONSchema
#endif

struct DevBrokerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dev-broker",
        abstract: "Run the embedded Kafka cluster on loopback until interrupted.",
        discussion: """
            Prints the bootstrap list on its first line and writes it to a bootstrap file that \
            other agentbus commands read, so `agentbus dev-broker` in one terminal and any other \
            command in another just work. The file is removed on exit.

            At start it creates the topics of the schema catalog, the runtime topics \
            (agentbus.activity, agentbus.heartbeats, agentbus.registry, agentbus.control) and, for \
            each --agent, its retry topics (<agent>.retry.<delay>, one per distinct --retry-delays \
            delay), <agent>.dlt, <agent>.timers and <agent>.state. `agentbus topics create` creates more while it runs, \
            through a control socket next to the bootstrap file (<file>.sock).

            Limits of the embedded cluster: in memory only; each partition keeps at most 5 MiB or \
            100,000 batches (the oldest are dropped); no Admin API (use --topics or `agentbus \
            topics create`; other topics are auto-created with 4 partitions); no exactly-once; the \
            first group join takes about 3 s.
            """
    )

    @Option(name: .long, help: "Number of brokers.")
    var brokers: Int = 3

    @Option(name: .long, help: ArgumentHelp(
        "Topics to create, as name:partitions[:replication],...", valueName: "topics"))
    var topics: String?

    @OptionGroup var schemaOptions: SchemaOptions

    @Option(name: .long, help: "Partitions of each catalog, runtime and agent topic created at start.")
    var catalogPartitions: Int = 3

    @Option(name: .customLong("agent"), help: ArgumentHelp(
        "An agent whose retry, dead-letter, timer and state topics to create at start (repeatable).", valueName: "name"))
    var agents: [String] = []

    @OptionGroup var retryTiers: RetryTierOptions

    @Option(name: .long, help: ArgumentHelp(
        "Where to write the bootstrap list. Default: \(DevBrokerFile.wellKnown.path)", valueName: "file"))
    var bootstrapFile: String?

    func validate() throws {
        guard (1...16).contains(brokers) else { throw ValidationError("--brokers takes 1 to 16 brokers") }
        guard catalogPartitions >= 1 else { throw ValidationError("--catalog-partitions takes a whole number of at least 1") }
        _ = try parsedTopics()
        for agent in agents {
            if let problem = AgentTopics.problem(withAgentName: agent) { throw ValidationError("--agent: \(problem)") }
        }
    }

    func parsedTopics() throws -> [(name: String, partitions: Int, replication: Int)] {
        guard let topics else { return [] }
        return try topics.split(separator: ",").map { item in
            let parts = item.split(separator: ":", omittingEmptySubsequences: false)
            guard (1...3).contains(parts.count), !parts[0].isEmpty else {
                throw ValidationError("--topics takes name:partitions[:replication], got \"\(item)\"")
            }
            let partitions = parts.count > 1 ? Int(parts[1]) : 1
            let replication = parts.count > 2 ? Int(parts[2]) : 1
            guard let partitions, partitions >= 1, let replication, replication >= 1 else {
                throw ValidationError("--topics: partitions and replication are whole numbers of at least 1 in \"\(item)\"")
            }
            return (String(parts[0]), partitions, replication)
        }
    }

    func run() async throws {
        let file = bootstrapFile.map(DevBrokerFile.init(path:)) ?? .wellKnown
        if let running = file.read(), running.processID != getpid() {
            throw ValidationError(
                "a dev-broker is already running (pid \(running.processID)) at \(running.bootstrapServers); "
                    + "stop it or pass --bootstrap-file")
        }

        let cluster = try EmbeddedCluster(brokers: brokers)
        let explicit = try parsedTopics()
        for topic in explicit {
            try cluster.createTopic(topic.name, partitions: topic.partitions, replicationFactor: topic.replication)
        }
        // The schema catalog's topics exist from the start, so `tail` can follow them before
        // anything is published; so do the runtime topics and the named agents' retry and
        // dead-letter topics, so agents start without a separate `topics create`.
        var startTopics: [String] = []
        switch Result(catching: { () throws(SchemaLoadError) in try schemaOptions.directory.load() }) {
        case .success(let registry):
            startTopics = registry.topics
        case .failure(let error):
            if schemaOptions.schemas != nil || schemaOptions.directory.source != .workingDirectory
                || !(error.problems.first?.message.hasPrefix("no such schema directory") ?? false)
            {
                Output.error("agentbus dev-broker: schemas not loaded, catalog topics not created: \(error)")
            }
        }
        for agent in agents { startTopics += try retryTiers.topics(of: agent) + AgentTopics.owned(by: agent) }
        startTopics += AgentTopics.runtime
        var created: [String] = []
        for topic in startTopics where !explicit.contains(where: { $0.name == topic }) && !created.contains(topic) {
            try cluster.createTopic(topic, partitions: catalogPartitions)
            created.append(topic)
        }

        // The control socket is listening before the bootstrap line is printed: whoever waits for
        // that line can create topics at once.
        let socketPath = DevBrokerControlServer.socketPath(forBootstrapFile: file.path)
        var control: DevBrokerControlServer?
        do {
            control = try DevBrokerControlServer(
                path: socketPath, cluster: cluster, knownTopics: Set(created + explicit.map(\.name)))
            control?.start()
        } catch {
            Output.error("agentbus dev-broker: no control socket, so `topics create` cannot reach it: \(error)")
        }
        try file.write(bootstrapServers: cluster.bootstrapServers)
        Output.line(cluster.bootstrapServers)
        Output.error(
            "agentbus dev-broker: \(brokers) broker(s) at \(cluster.bootstrapServers); bootstrap file \(file.path). "
                + "Ctrl-C to stop.")
        if !created.isEmpty {
            Output.error("agentbus dev-broker: created \(created.joined(separator: ", ")) (\(catalogPartitions) partitions each)")
        }

        let signal = await ShutdownSignal.wait()
        file.remove()
        control?.stop()
        cluster.stop()
        Output.error("agentbus dev-broker: stopped (\(signal))")
    }
}
