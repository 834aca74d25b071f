import AgentBus
import ArgumentParser
import Foundation
import Kafka
import Logging

struct TailCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tail",
        abstract: "Follow topics live and print each event decoded.",
        discussion: """
            Prints one line per record: time, topic/partition@offset, type, event ID, correlation, \
            causation, key, hops and payload. Records that are not AgentBus events are printed raw \
            with the reason, never dropped; payloads that fail their schema are flagged. Reads \
            without joining a consumer group, so it never disturbs the agents. Without topics, \
            follows every topic of the schema catalog. Stops on SIGINT/SIGTERM or after --limit.
            """
    )

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var schemaOptions: SchemaOptions

    @Argument(help: "Topics to follow. Default: every topic named by the schemas.")
    var topics: [String] = []

    @Flag(name: .long, help: "Start at the oldest record the broker keeps, not at the end.")
    var fromBeginning = false

    @Flag(name: .long, help: "Print one JSON object per record.")
    var json = false

    @Option(name: .long, help: "Stop after this many records.")
    var limit: Int?

    func validate() throws {
        if let limit, limit < 1 { throw ValidationError("--limit takes a whole number of at least 1") }
    }

    func run() async throws {
        var registry: SchemaRegistry?
        do {
            registry = try schemaOptions.directory.load()
        } catch {
            // Without schemas, tail still shows events, but cannot flag invalid payloads: say so,
            // unless there simply is no ./schemas here.
            let missingDefault = schemaOptions.directory.source == .workingDirectory
                && error.problems.first?.message.hasPrefix("no such schema directory") == true
            if !missingDefault {
                Output.error("agentbus tail: schemas not loaded, payloads will not be checked: \(error)")
            }
        }
        var topics = topics
        if topics.isEmpty {
            guard let registry else {
                Output.error(
                    "agentbus tail: name the topics to follow, or point --schemas at a schema directory (\(schemaOptions.directory.path) did not load)")
                throw ExitCode.failure
            }
            topics = registry.topics
        }
        let endpoint = connection.endpoint
        // librdkafka's own log lines would interleave with the records; failures arrive as errors.
        var quiet = Logger(label: "agentbus.tail")
        quiet.logLevel = .critical
        let admin = try KafkaAdmin(
            configuration: KafkaClientConfiguration(
                bootstrapServers: endpoint.bootstrapServers, properties: try connection.librdkafkaProperties()),
            logger: quiet)
        defer { admin.close() }
        let partitions = try await waitForPartitions(of: topics, admin: admin)

        var starts: [KafkaTopicPartition: KafkaStartOffset] = [:]
        if fromBeginning {
            for partition in partitions { starts[partition] = .beginning }
        } else {
            // Exact high watermarks, not OFFSET_END: an event published right after this
            // line is printed is shown, never skipped.
            for (partition, marks) in try await admin.watermarks(of: partitions) { starts[partition] = .offset(marks.high) }
        }
        var configuration = try connection.consumerConfiguration(group: "agentbus-tail-\(UUID().uuidString.prefix(8))")
        configuration.properties["enable.auto.commit"] = configuration.properties["enable.auto.commit"] ?? "false"
        let consumer = try KafkaConsumer(configuration: configuration, logger: quiet)
        try consumer.assign(starts)
        Output.error(
            "agentbus tail: following \(partitions.count) partition(s) of \(topics.joined(separator: ", ")) from the \(fromBeginning ? "beginning" : "end"); Ctrl-C to stop")

        let printer = TailPrinter(registry: registry, json: json)
        let limit = limit
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask {
                _ = await ShutdownSignal.wait()
                await consumer.close(timeout: .seconds(2))
            }
            tasks.addTask {
                var count = 0
                for try await record in consumer.messages {
                    printer.print(record)
                    count += 1
                    if let limit, count >= limit { break }
                }
                await consumer.close(timeout: .seconds(2))
            }
            try await tasks.next()
            tasks.cancelAll()
        }
    }

    /// The partitions of `topics`, waiting (and saying so) for topics that do not exist yet.
    private func waitForPartitions(of topics: [String], admin: KafkaAdmin) async throws -> [KafkaTopicPartition] {
        var announced = Set<String>()
        while true {
            let known = Dictionary(uniqueKeysWithValues: try await admin.topics().map { ($0.name, $0.partitionCount) })
            let missing = topics.filter { (known[$0] ?? 0) == 0 }
            if missing.isEmpty {
                return topics.flatMap { topic in (0..<known[topic]!).map { KafkaTopicPartition(topic: topic, partition: Int32($0)) } }
            }
            let new = missing.filter { !announced.contains($0) }
            if !new.isEmpty {
                Output.error("agentbus tail: waiting for topic(s) \(new.joined(separator: ", ")) to be created")
                announced.formUnion(new)
            }
            try await Task.sleep(for: .seconds(1))
        }
    }
}
