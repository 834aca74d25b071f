import AgentBus
import ArgumentParser
import Kafka

#if canImport(Glibc)
import Glibc
#endif

struct DevBrokerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dev-broker",
        abstract: "Run the embedded Kafka cluster on loopback until interrupted.",
        discussion: """
            Prints the bootstrap list on its first line and writes it to a bootstrap file that \
            other agentbus commands read, so `agentbus dev-broker` in one terminal and any other \
            command in another just work. The file is removed on exit.

            Limits of the embedded cluster: in memory only; each partition keeps at most 5 MiB or \
            100,000 batches (the oldest are dropped); no Admin API (use --topics; other topics are \
            auto-created with 4 partitions); no exactly-once; the first group join takes about 3 s.
            """
    )

    @Option(name: .long, help: "Number of brokers.")
    var brokers: Int = 3

    @Option(name: .long, help: ArgumentHelp(
        "Topics to create, as name:partitions[:replication],...", valueName: "topics"))
    var topics: String?

    @OptionGroup var schemaOptions: SchemaOptions

    @Option(name: .long, help: "Partitions of each topic the schemas name (created at start).")
    var catalogPartitions: Int = 3

    @Option(name: .long, help: ArgumentHelp(
        "Where to write the bootstrap list. Default: \(DevBrokerFile.wellKnown.path)", valueName: "file"))
    var bootstrapFile: String?

    func validate() throws {
        guard (1...16).contains(brokers) else { throw ValidationError("--brokers takes 1 to 16 brokers") }
        guard catalogPartitions >= 1 else { throw ValidationError("--catalog-partitions takes a whole number of at least 1") }
        _ = try parsedTopics()
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
        // anything is published.
        var catalogTopics: [String] = []
        switch Result(catching: { () throws(SchemaLoadError) in try schemaOptions.directory.load() }) {
        case .success(let registry):
            catalogTopics = registry.topics.filter { topic in !explicit.contains { $0.name == topic } }
            for topic in catalogTopics { try cluster.createTopic(topic, partitions: catalogPartitions) }
        case .failure(let error):
            if schemaOptions.schemas != nil || schemaOptions.directory.source != .workingDirectory
                || !(error.problems.first?.message.hasPrefix("no such schema directory") ?? false)
            {
                Output.error("agentbus dev-broker: schemas not loaded, catalog topics not created: \(error)")
            }
        }
        try file.write(bootstrapServers: cluster.bootstrapServers)
        Output.line(cluster.bootstrapServers)
        Output.error(
            "agentbus dev-broker: \(brokers) broker(s) at \(cluster.bootstrapServers); bootstrap file \(file.path). "
                + "Ctrl-C to stop.")
        if !catalogTopics.isEmpty {
            Output.error("agentbus dev-broker: created \(catalogTopics.joined(separator: ", ")) (\(catalogPartitions) partitions each)")
        }

        let signal = await ShutdownSignal.wait()
        file.remove()
        cluster.stop()
        Output.error("agentbus dev-broker: stopped (\(signal))")
    }
}
