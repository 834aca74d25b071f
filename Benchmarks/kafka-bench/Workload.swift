import Kafka

/// The messages both sides send and read: a short key, a 100-byte value and two short
/// CloudEvents-style headers, the shape of an AgentBus event.
struct Workload: Sendable {
    /// Keys are cycled from a pool so messages spread over every partition (a single key would
    /// put them all in one) without building a key per message on either side.
    static let keyCount = 1024
    static let valueSize = 100

    let messages: Int
    /// `key-0000` … `key-1023`: all the same length, so the raw side can lay them out end to end.
    let keys: [[UInt8]]
    let value: [UInt8]
    let headers: [KafkaHeader]

    init(messages: Int) {
        self.messages = messages
        keys = (0..<Self.keyCount).map { index in
            let digits = String(index)
            return Array(("key-" + String(repeating: "0", count: 4 - digits.count) + digits).utf8)
        }
        value = (0..<Self.valueSize).map { UInt8(truncatingIfNeeded: 0x41 + $0 % 26) }
        headers = [
            KafkaHeader(name: "ce_type", value: "dev.agentbus.bench.v1"),
            KafkaHeader(name: "ce_id", value: "0001"),
        ]
    }

    /// The key of message `index`.
    @inline(__always)
    func keyIndex(_ index: Int) -> Int { index & (Self.keyCount - 1) }

    /// Partitions a topic needs to keep `messages` of these: the embedded cluster keeps at most
    /// 5 MiB per partition and drops older data. Sized for ~160 B per record on the wire, twice
    /// over, because keys hash unevenly.
    var partitionsNeeded: Int {
        let bytes = messages * 160 * 2
        return max(32, (bytes + 5 * 1024 * 1024 - 1) / (5 * 1024 * 1024))
    }
}

/// Producer properties, identical for both sides.
struct ProducerSettings: Sendable {
    var lingerMilliseconds: Int
    var batchMessages = 10_000
    var maxQueuedMessages = 1_000_000

    /// The librdkafka properties the raw side sets by hand; the Swift side gets the same through
    /// ``swiftConfiguration(bootstrapServers:)`` (its defaults already say `acks=all`).
    func rawProperties(bootstrapServers: String) -> [(String, String)] {
        [
            ("bootstrap.servers", bootstrapServers),
            ("client.id", "kafka-bench-raw"),
            ("enable.idempotence", "true"),
            ("acks", "all"),
            ("linger.ms", String(lingerMilliseconds)),
            ("queue.buffering.max.messages", String(maxQueuedMessages)),
            ("batch.num.messages", String(batchMessages)),
        ]
    }

    func swiftConfiguration(bootstrapServers: String) -> KafkaProducerConfiguration {
        KafkaProducerConfiguration(
            bootstrapServers: [bootstrapServers], clientID: "kafka-bench-swift",
            linger: .milliseconds(lingerMilliseconds), idempotence: true, acks: .all,
            maxQueuedMessages: maxQueuedMessages, properties: ["batch.num.messages": String(batchMessages)])
    }
}

/// Set on both consumers. In librdkafka 2.0.2, once the consumer queue holds `queued.min.messages`
/// (default 100,000) the fetcher stops and looks again only after up to a second
/// (librdkafka#2879, fixed by `fetch.queue.backoff.ms` in later versions). Both sides drain
/// 100,000 records in well under a second, so with the defaults both would spend most of a run
/// waiting on that timer and the figures would measure it, not the code. With these limits the
/// fetcher never pauses during a run.
let consumerQueueProperties = [
    "queued.min.messages": "1000000",
    "queued.max.messages.kbytes": "1048576",
]

/// Consumer properties the raw side sets by hand: what the Swift layer sets after
/// `tuneForEmbeddedCluster()`, plus ``consumerQueueProperties``.
func rawConsumerProperties(bootstrapServers: String, groupID: String) -> [(String, String)] {
    consumerQueueProperties.sorted { $0.key < $1.key }.map { ($0.key, $0.value) } + [
        ("bootstrap.servers", bootstrapServers),
        ("client.id", "kafka-bench-raw"),
        ("group.id", groupID),
        ("auto.offset.reset", "earliest"),
        ("session.timeout.ms", "6000"),
        ("heartbeat.interval.ms", "2000"),
        ("fetch.wait.max.ms", "5"),
        ("partition.assignment.strategy", "range,roundrobin"),
        ("enable.auto.offset.store", "false"),
        ("enable.auto.commit", "true"),
        ("enable.partition.eof", "false"),
    ]
}
