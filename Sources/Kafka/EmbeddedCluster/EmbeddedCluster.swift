import CRdKafka
import Logging
import Synchronization

/// A Kafka cluster inside this process: librdkafka's mock cluster, speaking the real Kafka
/// protocol on loopback, so AgentBus runs and is tested on a machine with no Kafka installed.
/// Other processes connect to ``bootstrapServers`` like to any cluster.
///
/// Limits (librdkafka 2.0.2): in memory only; each partition keeps at most 5 MiB or 100,000
/// batches (the oldest are dropped); no Admin API (create topics with ``createTopic(_:partitions:replicationFactor:)``;
/// unknown topics are auto-created with 4 partitions); no exactly-once; the first group join takes
/// about 3 s and each further member joins after `session.timeout.ms` − 1 s; an empty fetch is
/// held for the whole `fetch.wait.max.ms`; no idempotent sequence numbers are checked (only a
/// transactional producer's), so a producer that pipelines requests can be told a failed
/// request's messages were delivered. Clients should use
/// ``KafkaConsumerConfiguration/tuneForEmbeddedCluster()`` and
/// ``KafkaProducerConfiguration/tuneForEmbeddedCluster()``.
public final class EmbeddedCluster: Sendable {
    /// Broker IDs, 1 through the number of brokers.
    public let brokerIDs: [Int32]
    /// `127.0.0.1:port,...`, for clients' `bootstrap.servers`.
    public let bootstrapServers: String

    private let state: Mutex<State>

    private struct State: @unchecked Sendable {
        var handle: OpaquePointer?
        var cluster: OpaquePointer?
    }

    /// Starts `brokers` brokers on loopback ports chosen by the system.
    public init(brokers: Int = 3, logger: Logger = Logger(label: "agentbus.embedded-cluster")) throws(KafkaError) {
        guard brokers >= 1 else { throw .configuration("an embedded cluster needs at least one broker") }
        // Any handle can own the mock cluster; a producer is the cheapest. It never connects.
        let conf = rd_kafka_conf_new()!
        var errstr = [CChar](repeating: 0, count: 512)
        rd_kafka_conf_set(conf, "log_level", "3", &errstr, errstr.count)
        guard let handle = rd_kafka_new(RD_KAFKA_PRODUCER, conf, &errstr, errstr.count) else {
            rd_kafka_conf_destroy(conf)
            throw .configuration("cannot start the embedded cluster: \(String(cBuffer: errstr))")
        }
        guard let cluster = rd_kafka_mock_cluster_new(handle, Int32(brokers)) else {
            rd_kafka_destroy(handle)
            throw KafkaError(code: .clusterError, message: "cannot start the embedded cluster (no free loopback ports?)")
        }
        self.brokerIDs = Array(1...Int32(brokers))
        self.bootstrapServers = String(cString: rd_kafka_mock_cluster_bootstraps(cluster))
        self.state = Mutex(State(handle: handle, cluster: cluster))
        logger.debug("embedded cluster started", metadata: ["bootstrap": "\(bootstrapServers)"])
    }

    deinit { stop() }

    /// Creates a topic (replication factor at most the number of brokers).
    public func createTopic(_ name: String, partitions: Int, replicationFactor: Int = 1) throws(KafkaError) {
        guard partitions >= 1 else { throw .configuration("topic \(name): partitions must be at least 1") }
        guard (1...brokerIDs.count).contains(replicationFactor) else {
            throw .configuration(
                "topic \(name): replication factor \(replicationFactor) needs 1 to \(brokerIDs.count) brokers")
        }
        try call("create topic \(name)") {
            rd_kafka_mock_topic_create($0, name, Int32(partitions), Int32(replicationFactor))
        }
    }

    /// Takes a broker down (`rd_kafka_mock_broker_set_down`): its connections close and it
    /// accepts no new ones until ``setBrokerUp(_:)``; clients see it as unreachable. For fault
    /// injection: `agentbus dev-broker` offers it as `broker-down` on its control socket.
    ///
    /// - Throws: ``KafkaError`` for an unknown broker ID, or after ``stop()``.
    public func setBrokerDown(_ brokerID: Int32) throws(KafkaError) {
        try call("take broker \(brokerID) down") { rd_kafka_mock_broker_set_down($0, brokerID) }
    }

    /// Brings a broker taken down with ``setBrokerDown(_:)`` back (`rd_kafka_mock_broker_set_up`):
    /// it accepts connections again and clients reconnect after their reconnect backoff.
    ///
    /// - Throws: ``KafkaError`` for an unknown broker ID, or after ``stop()``.
    public func setBrokerUp(_ brokerID: Int32) throws(KafkaError) {
        try call("bring broker \(brokerID) up") { rd_kafka_mock_broker_set_up($0, brokerID) }
    }

    /// Delays every response of a broker by `roundTripTime`.
    public func setRoundTripTime(broker brokerID: Int32, _ roundTripTime: Duration) throws(KafkaError) {
        try call("set the round-trip time of broker \(brokerID)") {
            rd_kafka_mock_broker_set_rtt($0, brokerID, Int32(clamping: roundTripTime.wholeMilliseconds))
        }
    }

    /// Moves a partition's leadership to `brokerID`.
    public func setPartitionLeader(topic: String, partition: Int32, broker brokerID: Int32) throws(KafkaError) {
        try call("move the leader of \(topic)/\(partition)") {
            rd_kafka_mock_partition_set_leader($0, topic, partition, brokerID)
        }
    }

    /// Makes `brokerID` the coordinator of consumer group `group`, so a test can keep the group's
    /// traffic off (or on) the brokers that lead the partitions it reads.
    public func setGroupCoordinator(group: String, broker brokerID: Int32) throws(KafkaError) {
        try call("make broker \(brokerID) the coordinator of group \(group)") {
            rd_kafka_mock_coordinator_set($0, "group", group, brokerID)
        }
    }

    /// Makes the next requests of kind `api` fail, in order, with `errors` (whichever broker gets them).
    public func injectRequestErrors(api: KafkaAPI, errors: [KafkaInjectedError]) {
        state.withLock { state in
            guard let cluster = state.cluster else { return }
            let codes = errors.map { rd_kafka_resp_err_t($0.code) }
            codes.withUnsafeBufferPointer {
                rd_kafka_mock_push_request_errors_array(cluster, api.key, $0.count, $0.baseAddress)
            }
        }
    }

    /// Stops the brokers; connected clients see them go down. Safe to call twice.
    public func stop() {
        state.withLock { state in
            if let cluster = state.cluster { rd_kafka_mock_cluster_destroy(cluster) }
            if let handle = state.handle { rd_kafka_destroy(handle) }
            state.cluster = nil
            state.handle = nil
        }
    }

    private func call(_ what: String, _ body: (OpaquePointer) -> rd_kafka_resp_err_t) throws(KafkaError) {
        let code: rd_kafka_resp_err_t? = state.withLock { state in state.cluster.map(body) }
        guard let code else { throw KafkaError.closed("the embedded cluster") }
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
            let error = KafkaError(code, context: "embedded cluster: cannot \(what)")
            throw KafkaError(code: .clusterError, message: error.message, librdkafkaName: error.librdkafkaName)
        }
    }
}

/// A Kafka protocol request type, for ``EmbeddedCluster/injectRequestErrors(api:errors:)``.
public struct KafkaAPI: Sendable, Hashable {
    public let key: Int16
    public init(key: Int16) { self.key = key }

    public static let produce = KafkaAPI(key: 0)
    public static let fetch = KafkaAPI(key: 1)
    public static let listOffsets = KafkaAPI(key: 2)
    public static let metadata = KafkaAPI(key: 3)
    public static let offsetCommit = KafkaAPI(key: 8)
    public static let offsetFetch = KafkaAPI(key: 9)
    public static let findCoordinator = KafkaAPI(key: 10)
    public static let joinGroup = KafkaAPI(key: 11)
    public static let heartbeat = KafkaAPI(key: 12)
    public static let syncGroup = KafkaAPI(key: 14)
    public static let initProducerID = KafkaAPI(key: 22)
}

/// A broker error code to inject (Kafka protocol numbering).
public struct KafkaInjectedError: Sendable, Hashable {
    public let code: Int32
    public init(code: Int32) { self.code = code }

    public static let notLeaderForPartition = KafkaInjectedError(code: 6)
    public static let requestTimedOut = KafkaInjectedError(code: 7)
    public static let leaderNotAvailable = KafkaInjectedError(code: 5)
    public static let coordinatorNotAvailable = KafkaInjectedError(code: 15)
    public static let notCoordinator = KafkaInjectedError(code: 16)
    public static let notEnoughReplicas = KafkaInjectedError(code: 19)
    public static let topicAuthorizationFailed = KafkaInjectedError(code: 29)
}
