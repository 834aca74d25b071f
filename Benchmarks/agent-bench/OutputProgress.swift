import CRdKafka

/// How many records the output topic holds, asked of the broker with one ListOffsets request
/// for all its partitions (`rd_kafka_offsets_for_times` at "latest").
///
/// Used while nothing is measured (waiting for the side to work, for it to drain, for the
/// throughput run to end) at most every 50 ms: unlike a consumer with a 1 ms fetch wait, it adds
/// next to no load to the single-threaded broker.
final class OutputProgress {
    private let rk: OpaquePointer
    private let topic: String
    private let partitions: Int

    init(bootstrapServers: String, topic: String, partitions: Int) throws {
        rk = try makeRawHandle(
            RD_KAFKA_PRODUCER,
            properties: [("bootstrap.servers", bootstrapServers), ("client.id", "agent-bench-progress")])
        self.topic = topic
        self.partitions = partitions
    }

    deinit { rd_kafka_destroy(rk) }

    /// Records in the output topic (the sum of its partitions' end offsets; it starts empty).
    func records() throws -> Int {
        let list = rd_kafka_topic_partition_list_new(Int32(partitions))!
        defer { rd_kafka_topic_partition_list_destroy(list) }
        for partition in 0..<Int32(partitions) {
            rd_kafka_topic_partition_list_add(list, topic, partition).pointee.offset = Int64(RD_KAFKA_OFFSET_END)
        }
        let code = rd_kafka_offsets_for_times(rk, list, 10_000)
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw BenchError("cannot read the end offsets of \(topic): \(errorText(code))")
        }
        var total = 0
        for index in 0..<Int(list.pointee.cnt) {
            let element = list.pointee.elems[index]
            guard element.err == RD_KAFKA_RESP_ERR_NO_ERROR else {
                throw BenchError(
                    "cannot read the end offset of \(topic)/\(element.partition): \(errorText(element.err))")
            }
            total += max(0, Int(element.offset))
        }
        return total
    }
}
