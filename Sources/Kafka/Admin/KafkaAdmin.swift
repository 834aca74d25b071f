import CRdKafka
import Logging
import Synchronization

/// Cluster operations: create topics, list them, read a group's committed offsets and the
/// partitions' watermarks, look offsets up by time. Every call waits off Swift's cooperative pool.
///
/// The embedded cluster has no Admin API: create its topics with ``EmbeddedCluster``.
public final class KafkaAdmin: Sendable {
    private let configuration: KafkaClientConfiguration
    private let logger: Logger
    private let handle: Mutex<RDKafkaPointer?>
    private let context: RDKafkaClientContext

    public init(configuration: KafkaClientConfiguration, logger: Logger = Logger(label: "agentbus.kafka.admin"))
        throws(KafkaError)
    {
        self.configuration = configuration
        self.logger = logger
        self.context = RDKafkaClientContext(logger: logger)
        let handle = try RDKafkaHandle.make(.producer, properties: configuration.librdkafkaProperties, context: context)
        self.handle = Mutex(RDKafkaPointer(pointer: handle))
    }

    deinit { close() }

    /// Frees the client. Safe to call twice.
    public func close() {
        handle.withLock { handle in
            if let h = handle { rd_kafka_destroy(h.pointer) }
            handle = nil
        }
    }

    private func client() throws(KafkaError) -> RDKafkaPointer {
        guard let h = handle.withLock({ $0 }) else { throw KafkaError.closed("the admin client") }
        return h
    }

    /// Creates topics; a topic that exists already is reported, not an error.
    public func createTopics(_ topics: [KafkaTopicSpecification], timeout: Duration = .seconds(30)) async throws(KafkaError)
        -> [KafkaTopicCreationResult]
    {
        let rk = try client()
        let context = context
        let result: Result<[KafkaTopicCreationResult], KafkaError> = await RDKafkaBlockingCall.run("agentbus-admin") {
            var errstr = [CChar](repeating: 0, count: 512)
            var newTopics: [OpaquePointer?] = []
            defer { for topic in newTopics { rd_kafka_NewTopic_destroy(topic) } }
            for spec in topics {
                guard let topic = rd_kafka_NewTopic_new(
                    spec.name, Int32(spec.partitions), Int32(spec.replicationFactor), &errstr, errstr.count)
                else {
                    return .failure(.configuration("topic \(spec.name): \(String(cBuffer: errstr))"))
                }
                newTopics.append(topic)
                for (key, value) in spec.configs.sorted(by: { $0.key < $1.key }) {
                    let code = rd_kafka_NewTopic_set_config(topic, key, value)
                    if code != RD_KAFKA_RESP_ERR_NO_ERROR {
                        return .failure(KafkaError(code, context: "topic \(spec.name): config \(key)"))
                    }
                }
            }
            let queue = rd_kafka_queue_new(rk.pointer)!
            defer { rd_kafka_queue_destroy(queue) }
            let options = rd_kafka_AdminOptions_new(rk.pointer, RD_KAFKA_ADMIN_OP_CREATETOPICS)
            defer { rd_kafka_AdminOptions_destroy(options) }
            rd_kafka_AdminOptions_set_request_timeout(options, Int32(clamping: timeout.wholeMilliseconds), &errstr, errstr.count)
            rd_kafka_AdminOptions_set_operation_timeout(options, Int32(clamping: timeout.wholeMilliseconds), &errstr, errstr.count)
            newTopics.withUnsafeMutableBufferPointer {
                rd_kafka_CreateTopics(rk.pointer, $0.baseAddress, $0.count, options, queue)
            }
            guard let event = rd_kafka_queue_poll(queue, Int32(clamping: timeout.wholeMilliseconds + 1000)) else {
                return .failure(KafkaError(code: .timedOut, message: "creating topics timed out after \(timeout)" + context.lastClientErrorSuffix, isRetriable: true))
            }
            defer { rd_kafka_event_destroy(event) }
            let code = rd_kafka_event_error(event)
            if code != RD_KAFKA_RESP_ERR_NO_ERROR {
                let text = rd_kafka_event_error_string(event).map { String(cString: $0) }
                return .failure(KafkaError(code, context: "cannot create topics", detail: text))
            }
            let eventResult = rd_kafka_event_CreateTopics_result(event)
            var count = 0
            guard let results = rd_kafka_CreateTopics_result_topics(eventResult, &count) else { return .success([]) }
            var outcome: [KafkaTopicCreationResult] = []
            for index in 0..<count {
                let topicResult = results[index]
                let name = String(cString: rd_kafka_topic_result_name(topicResult))
                let code = rd_kafka_topic_result_error(topicResult)
                switch code {
                case RD_KAFKA_RESP_ERR_NO_ERROR: outcome.append(.created(name))
                case RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS: outcome.append(.alreadyExists(name))
                default:
                    let text = rd_kafka_topic_result_error_string(topicResult).map { String(cString: $0) }
                    return .failure(KafkaError(code, context: "cannot create topic \(name)", detail: text))
                }
            }
            return .success(outcome)
        }
        return try result.get()
    }

    /// The topics of the cluster with their partition counts. Fails with a clear error when no
    /// broker answers within `timeout` — the quickest check that a bootstrap address is right.
    public func topics(timeout: Duration = .seconds(10)) async throws(KafkaError) -> [KafkaTopicMetadata] {
        let rk = try client()
        let servers = configuration.bootstrapServers.joined(separator: ",")
        let context = context
        let result: Result<[KafkaTopicMetadata], KafkaError> = await RDKafkaBlockingCall.run("agentbus-admin") {
            var metadata: UnsafePointer<rd_kafka_metadata>?
            let code = rd_kafka_metadata(rk.pointer, 1, nil, &metadata, Int32(clamping: timeout.wholeMilliseconds))
            guard code == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata else {
                return .failure(
                    KafkaError(
                        code, context: "no broker at \(servers) answered within \(timeout)",
                        detail: context.lastClientError.withLock { $0 } ?? String(cString: rd_kafka_err2str(code))))
            }
            defer { rd_kafka_metadata_destroy(metadata) }
            let topics = UnsafeBufferPointer(start: metadata.pointee.topics, count: Int(metadata.pointee.topic_cnt))
            return .success(
                topics.map { KafkaTopicMetadata(name: String(cString: $0.topic), partitionCount: Int($0.partition_cnt)) }
                    .sorted { $0.name < $1.name })
        }
        return try result.get()
    }

    /// The offsets `group` has committed for these partitions (the next record it will read).
    /// Reads without joining the group.
    public func committedOffsets(group: String, partitions: [KafkaTopicPartition], timeout: Duration = .seconds(10))
        async throws(KafkaError) -> [KafkaTopicPartitionOffset]
    {
        var properties = configuration.librdkafkaProperties
        properties.set("group.id", group)
        properties.set("enable.auto.commit", "false")
        let context = RDKafkaClientContext(logger: logger)
        let consumer = try RDKafkaHandle.make(.consumer, properties: properties, context: context)
        let handle = RDKafkaPointer(pointer: consumer)
        let result: Result<[KafkaTopicPartitionOffset], KafkaError> = await RDKafkaBlockingCall.run("agentbus-admin") {
            defer { rd_kafka_destroy(handle.pointer) }
            let list = rd_kafka_topic_partition_list_new(Int32(partitions.count))!
            defer { rd_kafka_topic_partition_list_destroy(list) }
            for partition in partitions { rd_kafka_topic_partition_list_add(list, partition.topic, partition.partition) }
            let code = rd_kafka_committed(handle.pointer, list, Int32(clamping: timeout.wholeMilliseconds))
            guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
                return .failure(KafkaError(code, context: "cannot read the committed offsets of group \(group)"))
            }
            return .success(
                UnsafeBufferPointer(start: list.pointee.elems, count: Int(list.pointee.cnt)).map {
                    KafkaTopicPartitionOffset(
                        topicPartition: KafkaTopicPartition(topic: String(cString: $0.topic), partition: $0.partition),
                        offset: $0.offset >= 0 ? $0.offset : nil)
                })
        }
        withExtendedLifetime(context) {}
        return try result.get()
    }

    /// The low and high watermarks of each partition, as the partition leaders report them now.
    ///
    /// Asked as two offset lookups, the earliest and the latest offset of every partition (one
    /// request per leader each), which give up at `timeout`. librdkafka 2.0.2's own watermark
    /// query, `rd_kafka_query_watermark_offsets`, ignores its timeout: it waits for its requests'
    /// answers, which a broker slower than the timeout gives late and a lost request never gives
    /// (librdkafka then times the request out at `socket.timeout.ms`, a minute, and sends it
    /// again). The agent runtime waits on this lookup before it handles anything after an
    /// assignment, so an unbounded one held up a whole instance.
    public func watermarks(of partitions: [KafkaTopicPartition], timeout: Duration = .seconds(10))
        async throws(KafkaError) -> [KafkaTopicPartition: KafkaWatermarks]
    {
        guard !partitions.isEmpty else { return [:] }
        let rk = try client()
        let ordered = Set(partitions).sorted()
        let result: Result<[KafkaTopicPartition: KafkaWatermarks], KafkaError> = await RDKafkaBlockingCall.run(
            "agentbus-admin"
        ) {
            let deadline = ContinuousClock.now + timeout
            // Kafka's ListOffsets reads the times -2 and -1 as the earliest and the latest offset.
            let lows = Self.listOffsets(rk, ordered, time: -2, timeout: deadline - .now)
            guard case .success(let low) = lows else { return lows.map { _ in [:] } }
            let highs = Self.listOffsets(rk, ordered, time: -1, timeout: deadline - .now)
            guard case .success(let high) = highs else { return highs.map { _ in [:] } }
            var watermarks: [KafkaTopicPartition: KafkaWatermarks] = [:]
            for partition in ordered {
                guard let high = high[partition] else {
                    return .failure(KafkaError(code: .broker, message: "no high watermark of \(partition) in the answer"))
                }
                // An empty partition may report no earliest offset: it starts where it ends.
                let earliest = low[partition].flatMap { $0 >= 0 ? $0 : nil } ?? high
                watermarks[partition] = KafkaWatermarks(low: earliest, high: high)
            }
            return .success(watermarks)
        }
        return try result.get()
    }

    /// The offsets `rd_kafka_offsets_for_times` finds for `time` (a timestamp, or -2 and -1 for
    /// the earliest and the latest) in each partition, within `timeout`. On the blocking thread.
    private static func listOffsets(
        _ rk: RDKafkaPointer, _ partitions: [KafkaTopicPartition], time: Int64, timeout: Duration
    ) -> Result<[KafkaTopicPartition: Int64], KafkaError> {
        let milliseconds = timeout.wholeMilliseconds
        guard milliseconds > 0 else {
            return .failure(KafkaError(code: .timedOut, message: "cannot read the offsets of \(partitions.count) partition(s) in time"))
        }
        // A fresh list per call: the call writes its answers into it.
        let list = rd_kafka_topic_partition_list_new(Int32(partitions.count))!
        defer { rd_kafka_topic_partition_list_destroy(list) }
        for partition in partitions {
            rd_kafka_topic_partition_list_add(list, partition.topic, partition.partition).pointee.offset = time
        }
        let code = rd_kafka_offsets_for_times(rk.pointer, list, Int32(clamping: milliseconds))
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
            return .failure(KafkaError(code, context: "cannot read the offsets of \(partitions.count) partition(s)"))
        }
        var offsets: [KafkaTopicPartition: Int64] = [:]
        for element in UnsafeBufferPointer(start: list.pointee.elems, count: Int(list.pointee.cnt)) {
            let partition = KafkaTopicPartition(topic: String(cString: element.topic), partition: element.partition)
            guard element.err == RD_KAFKA_RESP_ERR_NO_ERROR else {
                return .failure(KafkaError(element.err, context: "cannot read the offsets of \(partition)"))
            }
            offsets[partition] = element.offset
        }
        return .success(offsets)
    }

    /// For each partition, the offset of its earliest record whose timestamp is at or after the
    /// given time (milliseconds since 1970): where a read "since that time" starts, or where one
    /// "until that time" ends. Nil when the partition has no such record (every record is older).
    ///
    /// Timestamps are the records' own (`CreateTime` unless the topic uses `LogAppendTime`), and
    /// producers' clocks need not agree, so a record after the answer can be older than the time.
    ///
    /// The embedded cluster (librdkafka 2.0.2's mock) cannot look offsets up by time: it answers
    /// nil for every partition. Callers that must work there too check first with a partition that
    /// holds records and time 0, which real Kafka always answers.
    public func offsets(forTimes times: [KafkaTopicPartition: Int64], timeout: Duration = .seconds(10))
        async throws(KafkaError) -> [KafkaTopicPartition: Int64?]
    {
        // librdkafka refuses an empty list (`__INVALID_ARG`); there is nothing to ask.
        guard !times.isEmpty else { return [:] }
        let rk = try client()
        let ordered = times.sorted { $0.key < $1.key }
        let result: Result<[KafkaTopicPartition: Int64?], KafkaError> = await RDKafkaBlockingCall.run("agentbus-admin") {
            // A fresh list per call: the call writes its answers into it (librdkafka 2.0.2 misbehaves
            // when a partition list is reused across calls).
            let list = rd_kafka_topic_partition_list_new(Int32(ordered.count))!
            defer { rd_kafka_topic_partition_list_destroy(list) }
            for (partition, time) in ordered {
                rd_kafka_topic_partition_list_add(list, partition.topic, partition.partition).pointee.offset = time
            }
            let code = rd_kafka_offsets_for_times(rk.pointer, list, Int32(clamping: timeout.wholeMilliseconds))
            guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
                return .failure(KafkaError(code, context: "cannot look up the offsets of \(ordered.count) partition(s) by time"))
            }
            var offsets: [KafkaTopicPartition: Int64?] = [:]
            for element in UnsafeBufferPointer(start: list.pointee.elems, count: Int(list.pointee.cnt)) {
                let partition = KafkaTopicPartition(topic: String(cString: element.topic), partition: element.partition)
                guard element.err == RD_KAFKA_RESP_ERR_NO_ERROR else {
                    return .failure(KafkaError(element.err, context: "cannot look up the offset of \(partition) by time"))
                }
                offsets[partition] = element.offset >= 0 ? element.offset : nil
            }
            return .success(offsets)
        }
        return try result.get()
    }
}
