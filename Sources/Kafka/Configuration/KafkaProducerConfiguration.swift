/// How a ``KafkaProducer`` connects and delivers.
///
/// Defaults favour safety (idempotence on, `acks=all`) and agent latency (5 ms linger).
/// Anything not modelled here can be set through ``properties``, which wins over the fields.
public struct KafkaProducerConfiguration: Sendable {
    public enum Acks: String, Sendable, Hashable {
        /// Wait for all in-sync replicas (`acks=all`).
        case all = "all"
        /// Wait for the leader only (`acks=1`).
        case leader = "1"
    }

    public enum Compression: String, Sendable, Hashable {
        case none, gzip, snappy, lz4, zstd
    }

    public enum Partitioner: String, Sendable, Hashable {
        /// librdkafka's default: CRC32 of the key; keyless messages spread randomly.
        case consistentRandom = "consistent_random"
        /// Java's partitioner (murmur2): use when keyed topics are shared with JVM producers.
        case murmur2Random = "murmur2_random"
    }

    /// Brokers to bootstrap from, as `host:port`. Required.
    public var bootstrapServers: [String]
    /// Default: `"agentbus"`.
    public var clientID: String
    /// How long to wait for more messages before sending a batch (`linger.ms`). Default: 5 ms.
    public var linger: Duration
    /// Exactly-once per partition, in order, across retries (`enable.idempotence`). Default: `true`
    /// (librdkafka 2.0.2 defaults to `false`).
    public var idempotence: Bool
    /// Default: `.all` (required by idempotence).
    public var acks: Acks
    /// How long a message may take to be delivered, retries included, before it fails with
    /// ``KafkaError/Code/timedOut`` (`message.timeout.ms`). Default: 300 s.
    public var deliveryTimeout: Duration
    /// Default: `.none`.
    public var compression: Compression
    /// Default: `.consistentRandom` (librdkafka's).
    public var partitioner: Partitioner
    /// Most messages waiting locally for delivery (`queue.buffering.max.messages`); beyond it
    /// ``KafkaProducer/produce(topic:key:value:headers:)`` waits for room. Default: 100,000.
    public var maxQueuedMessages: Int
    /// Default: plaintext.
    public var security: KafkaSecurity
    /// Any librdkafka property, applied after (and so overriding) the fields above.
    public var properties: [String: String]

    public init(
        bootstrapServers: [String],
        clientID: String = "agentbus",
        linger: Duration = .milliseconds(5),
        idempotence: Bool = true,
        acks: Acks = .all,
        deliveryTimeout: Duration = .seconds(300),
        compression: Compression = .none,
        partitioner: Partitioner = .consistentRandom,
        maxQueuedMessages: Int = 100_000,
        security: KafkaSecurity = .plaintext,
        properties: [String: String] = [:]
    ) {
        self.bootstrapServers = bootstrapServers
        self.clientID = clientID
        self.linger = linger
        self.idempotence = idempotence
        self.acks = acks
        self.deliveryTimeout = deliveryTimeout
        self.compression = compression
        self.partitioner = partitioner
        self.maxQueuedMessages = maxQueuedMessages
        self.security = security
        self.properties = properties
    }

    /// The settings the embedded cluster needs (see ``EmbeddedCluster``): one request in flight
    /// per broker (`max.in.flight.requests.per.connection=1`), unless ``properties`` sets it.
    ///
    /// An idempotent producer sends up to five requests per partition without waiting, and
    /// when an earlier one fails and a later one succeeds, it reports the earlier one's messages
    /// delivered: a real broker refuses a batch whose sequence number skips one it did not write,
    /// so a later success proves the earlier batch was written. librdkafka 2.0.2's mock cluster
    /// checks no sequence numbers (it does only for transactional producers), so under injected
    /// produce errors such messages were reported delivered and were not in the log. With one
    /// request in flight, a failed request's messages are sent again before anything after them.
    public mutating func tuneForEmbeddedCluster() {
        if properties["max.in.flight.requests.per.connection"] == nil, properties["max.in.flight"] == nil {
            properties["max.in.flight.requests.per.connection"] = "1"
        }
    }
}
