import AgentBus
import ArgumentParser
import Kafka

struct KafkaProduceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "produce",
        abstract: "Send records to a topic: each --value, or each line of standard input.",
        discussion: "Waits until every record is acknowledged, then prints how many were delivered."
    )

    @OptionGroup var connection: ConnectionOptions

    @Argument(help: "The topic.")
    var topic: String

    @Option(name: .long, help: "Record value (repeatable). Without it, each line of standard input is a value.")
    var value: [String] = []

    @Option(name: .long, help: "Key of every record.")
    var key: String?

    @Option(name: .long, help: ArgumentHelp(
        "Split each value at the first SEP into key and value (like kcat -K).", valueName: "sep"))
    var keySeparator: String?

    @Option(name: .long, help: ArgumentHelp("A header, as name=value (repeatable).", valueName: "name=value"))
    var header: [String] = []

    @Option(name: .long, help: "Give up on a record not acknowledged within this many seconds.")
    var timeout: Int = 30

    func run() async throws {
        let headers = try header.map { item in
            guard let equals = item.firstIndex(of: "=") else {
                throw ValidationError("--header takes name=value, got \"\(item)\"")
            }
            return KafkaHeader(name: String(item[..<equals]), value: String(item[item.index(after: equals)...]))
        }
        var configuration = try connection.producerConfiguration()
        configuration.deliveryTimeout = .seconds(timeout)
        let producer = try KafkaProducer(configuration: configuration)

        var count = 0
        func send(_ line: String) async throws {
            var recordKey = key
            var recordValue = line
            if let separator = keySeparator, let range = line.range(of: separator) {
                recordKey = String(line[..<range.lowerBound])
                recordValue = String(line[range.upperBound...])
            }
            try await producer.produce(topic: topic, key: recordKey, value: recordValue, headers: headers)
            count += 1
        }
        if value.isEmpty {
            while let line = readLine() { try await send(line) }
        } else {
            for item in value { try await send(item) }
        }
        try await producer.close(timeout: .seconds(timeout + 5))
        Output.error("agentbus kafka produce: \(count) record(s) delivered to \(topic)")
    }
}
