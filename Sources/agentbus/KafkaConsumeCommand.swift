import AgentBus
import ArgumentParser
import Foundation
import Kafka

struct KafkaConsumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consume",
        abstract: "Read records as a member of a consumer group and print them, one per line.",
        discussion: """
            Stores each record's offset after printing it (at-least-once), and commits on exit. \
            Stops after --max records or on SIGINT/SIGTERM. With --json, every line is a JSON \
            object: records, and group events (assigned, revoked, committed) marked by "event".
            """
    )

    @OptionGroup var connection: ConnectionOptions

    @Argument(help: "Topics to subscribe to.")
    var topics: [String]

    @Option(name: .long, help: "Consumer group.")
    var group: String = "agentbus-cli"

    @Option(name: .long, help: "Stop after this many records.")
    var max: Int?

    @Flag(name: .long, help: "Print JSON lines, including group events.")
    var json = false

    @Option(name: .long, help: ArgumentHelp(
        "Fault drill: store offsets for the first N records only; later ones are printed but will be delivered again after a restart.",
        valueName: "n"))
    var stopStoringAfter: Int?

    func validate() throws {
        if topics.isEmpty { throw ValidationError("name at least one topic") }
    }

    func run() async throws {
        let consumer = try KafkaConsumer(configuration: try connection.consumerConfiguration(group: group))
        try consumer.subscribe(topics: topics)
        let json = json
        let max = max
        let stopStoringAfter = stopStoringAfter

        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask {
                for await event in consumer.events { Self.print(event, json: json) }
            }
            tasks.addTask {
                _ = await ShutdownSignal.wait()
                await consumer.close()
            }
            tasks.addTask {
                var count = 0
                for try await record in consumer.messages {
                    Self.print(record, json: json)
                    count += 1
                    if stopStoringAfter.map({ count <= $0 }) ?? true {
                        do {
                            try consumer.storeOffset(for: record)
                        } catch let error as KafkaError where error.code == .notAssigned {
                            // Revoked meanwhile: the new owner delivers the record again.
                        }
                    }
                    if let max, count >= max { break }
                }
                await consumer.close()
            }
            // The record loop or the signal ends the run; the events stream ends with the close.
            try await tasks.next()
            try await tasks.next()
            tasks.cancelAll()
        }
    }

    static func print(_ record: KafkaRecord, json: Bool) {
        guard json else {
            let key = record.key.map { " key=\($0.string)" } ?? ""
            Output.line("\(record.topic)/\(record.partition)@\(record.offset)\(key) \(record.value.string)")
            return
        }
        var object: [String: Any] = [
            "topic": record.topic, "partition": Int(record.partition), "offset": Int(record.offset),
            "value": record.value.string,
            "headers": record.headers.map { [$0.name, $0.value?.string as Any? ?? NSNull()] },
        ]
        object["key"] = record.key?.string ?? NSNull()
        printJSON(object)
    }

    static func print(_ event: KafkaConsumerEvent, json: Bool) {
        func names(_ partitions: [KafkaTopicPartition]) -> [String] { partitions.map(\.description) }
        switch event {
        case .assigned(let partitions):
            json ? printJSON(["event": "assigned", "partitions": names(partitions)])
                : Output.error("# assigned \(names(partitions).joined(separator: " "))")
        case .revoked(let partitions):
            json ? printJSON(["event": "revoked", "partitions": names(partitions)])
                : Output.error("# revoked \(names(partitions).joined(separator: " "))")
        case .committed(let offsets):
            json ? printJSON(["event": "committed", "offsets": Dictionary(uniqueKeysWithValues: offsets.map { ($0.topicPartition.description, Int($0.offset ?? -1)) })])
                : Output.error("# committed \(offsets.map(\.description).joined(separator: " "))")
        case .commitFailed(let error), .error(let error):
            Output.error("agentbus kafka consume: \(error.message)")
        }
    }

    private static func printJSON(_ object: [String: Any]) {
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) else { return }
        Output.line(String(decoding: data, as: UTF8.self))
    }
}
