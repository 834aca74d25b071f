import CRdKafka

/// The output topic, read after the side under test has stopped: for each output, the time the
/// hop's producer created it (the record's CreateTime, which librdkafka sets to the wall clock
/// in `rd_kafka_produceva` when the producer gives none) and the send time of its input, read off
/// the correlation ID (see ``PreparedEvents``).
///
/// Reading afterwards keeps the measurement from loading the broker while the hop runs: a
/// consumer following the output live with a 1 ms fetch wait about doubles the fetch work of the
/// single-threaded embedded cluster and, at 5,000 events/s, saturates it. The price is the
/// timestamp's resolution: Kafka record times are whole milliseconds.
struct OutputLog {
    /// One output record.
    struct Record {
        /// CreateTime, milliseconds since 1970 (truncated by librdkafka).
        let createdMilliseconds: Int64
        /// The input's send time, CLOCK_REALTIME nanoseconds; 0 for an input without one.
        let inputSentNanoseconds: UInt64

        /// Input send → output created, nanoseconds. The created time is the middle of its
        /// millisecond, so each figure is off by at most ±0.5 ms and none is biased.
        var latencyNanoseconds: Int64 {
            createdMilliseconds &* 1_000_000 &+ 500_000 &- Int64(bitPattern: inputSentNanoseconds)
        }

        var createdNanoseconds: Int64 { createdMilliseconds &* 1_000_000 &+ 500_000 }
    }

    let records: [Record]

    /// Reads every record of `topic` (all `count` of them), from the beginning.
    static func read(bootstrapServers: String, topic: String, partitions: Int, count: Int) throws -> OutputLog {
        let rk = try makeRawHandle(
            RD_KAFKA_CONSUMER,
            properties: [
                ("bootstrap.servers", bootstrapServers), ("client.id", "agent-bench-output-log"),
                ("group.id", "agent-bench-output-log"), ("enable.auto.commit", "false"),
                ("enable.auto.offset.store", "false"), ("enable.partition.eof", "false"),
                ("fetch.wait.max.ms", "10"),
            ])
        defer {
            rd_kafka_consumer_close(rk)
            rd_kafka_destroy(rk)
        }
        rd_kafka_poll_set_consumer(rk)
        let list = rd_kafka_topic_partition_list_new(Int32(partitions))!
        for partition in 0..<Int32(partitions) {
            rd_kafka_topic_partition_list_add(list, topic, partition).pointee.offset = Int64(RD_KAFKA_OFFSET_BEGINNING)
        }
        let code = rd_kafka_assign(rk, list)
        rd_kafka_topic_partition_list_destroy(list)
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw BenchError("output log assign failed: \(errorText(code))")
        }

        let correlationName = "ce_correlationid"
        var records: [Record] = []
        records.reserveCapacity(count)
        let giveUp = monotonicNanoseconds() + 60_000_000_000
        while records.count < count {
            guard monotonicNanoseconds() < giveUp else {
                throw BenchError("read \(records.count) of the \(count) records of \(topic) within 60 s")
            }
            guard let message = rd_kafka_consumer_poll(rk, 100) else { continue }
            defer { rd_kafka_message_destroy(message) }
            guard message.pointee.err == RD_KAFKA_RESP_ERR_NO_ERROR else {
                throw BenchError("reading \(topic): \(errorText(message.pointee.err))")
            }
            var kind = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
            let created = rd_kafka_message_timestamp(message, &kind)
            guard kind == RD_KAFKA_TIMESTAMP_CREATE_TIME else {
                throw BenchError("an output in \(topic) has no CreateTime: its latency cannot be read")
            }
            var headers: OpaquePointer?
            var value: UnsafeRawPointer?
            var size = 0
            var sent: UInt64 = 0
            if rd_kafka_message_headers(message, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR,
                rd_kafka_header_get_last(headers, correlationName, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR,
                let value
            {
                sent = readUUIDHigh(value.assumingMemoryBound(to: UInt8.self), count: size) ?? 0
            }
            records.append(Record(createdMilliseconds: created, inputSentNanoseconds: sent))
        }
        return OutputLog(records: records)
    }
}
