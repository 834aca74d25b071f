import AgentBus
import Kafka

extension TopicSnapshotReader {
    /// Which offsets of each partition a read covers, once its ``TopicSnapshotBounds`` are
    /// resolved against the partitions' watermarks.
    ///
    /// Times are looked up with the brokers (`ListOffsets` by timestamp) where they can do it.
    /// The embedded cluster cannot (librdkafka 2.0.2's mock answers "no such record" to every
    /// lookup), so there the partition is read from its oldest record and the records' own
    /// timestamps decide, with the same meaning: the first record at or after the time.
    struct Plan: Sendable {
        /// The offsets to read per partition, for every partition of the topics read.
        var ranges: [KafkaTopicPartition: Range<Int64>]
        /// Partitions whose start is a time the brokers could not look up: the read starts at the
        /// first record read whose timestamp is at or after it.
        var timeFilteredStarts: [KafkaTopicPartition: Int64] = [:]
        /// Likewise for ends: the read ends before the first record at or after the time.
        var timeFilteredEnds: [KafkaTopicPartition: Int64] = [:]

        static func make(
            bounds: TopicSnapshotBounds, watermarks: [KafkaTopicPartition: KafkaWatermarks], admin: KafkaAdmin,
            timeout: Duration
        ) async throws(KafkaError) -> Plan {
            var starts: [KafkaTopicPartition: Int64] = [:]
            var ends: [KafkaTopicPartition: Int64] = [:]
            var startTimes: [KafkaTopicPartition: Int64] = [:]
            var endTimes: [KafkaTopicPartition: Int64] = [:]
            for (partition, marks) in watermarks {
                starts[partition] = marks.low
                ends[partition] = marks.high
                // An empty partition needs no lookup: every answer would be its high watermark.
                guard marks.high > marks.low else { continue }
                switch bounds.start(of: partition) {
                case nil: break
                case .offset(let offset): starts[partition] = marks.clamp(offset)
                case .time(let time): startTimes[partition] = time
                }
                switch bounds.end(of: partition) {
                case nil: break
                case .offset(let offset): ends[partition] = marks.clamp(offset)
                case .time(let time): endTimes[partition] = time
                }
            }

            var plan = Plan(ranges: [:])
            if !startTimes.isEmpty || !endTimes.isEmpty {
                if try await canLookUpTimes(watermarks: watermarks, admin: admin, timeout: timeout) {
                    // Two lookups, not one: librdkafka takes each partition once per call.
                    for (partition, offset) in try await admin.offsets(forTimes: startTimes, timeout: timeout) {
                        let marks = watermarks[partition]!
                        starts[partition] = offset.map(marks.clamp) ?? marks.high
                    }
                    for (partition, offset) in try await admin.offsets(forTimes: endTimes, timeout: timeout) {
                        let marks = watermarks[partition]!
                        ends[partition] = offset.map(marks.clamp) ?? marks.high
                    }
                } else {
                    plan.timeFilteredStarts = startTimes
                    plan.timeFilteredEnds = endTimes
                }
            }
            for (partition, start) in starts { plan.ranges[partition] = start..<max(start, ends[partition]!) }
            return plan
        }

        /// Whether the brokers answer lookups by time: asked for time 0, a partition that holds
        /// records answers its first offset on real Kafka, and "none" on the embedded cluster.
        private static func canLookUpTimes(
            watermarks: [KafkaTopicPartition: KafkaWatermarks], admin: KafkaAdmin, timeout: Duration
        ) async throws(KafkaError) -> Bool {
            guard let probe = watermarks.filter({ $0.value.high > $0.value.low }).keys.min() else { return false }
            let answer = try await admin.offsets(forTimes: [probe: 0], timeout: timeout)
            return answer[probe].flatMap { $0 } != nil
        }

        /// Drops the records outside time bounds the brokers could not resolve, and sets those
        /// partitions' start and end to where the records say they are. `records` holds each
        /// topic's records in partition, then offset order.
        func applyTimeFilters(
            to records: inout [String: [KafkaRecord]], starts: inout [KafkaTopicPartition: Int64],
            ends: inout [KafkaTopicPartition: Int64]
        ) {
            guard !timeFilteredStarts.isEmpty || !timeFilteredEnds.isEmpty else { return }
            var seen = Set<KafkaTopicPartition>()
            for (topic, all) in records {
                var kept: [KafkaRecord] = []
                kept.reserveCapacity(all.count)
                var index = all.startIndex
                while index < all.endIndex {
                    let partitionNumber = all[index].partition
                    var next = index
                    while next < all.endIndex && all[next].partition == partitionNumber { next += 1 }
                    let run = all[index..<next]
                    index = next
                    let partition = KafkaTopicPartition(topic: topic, partition: partitionNumber)
                    let startTime = timeFilteredStarts[partition]
                    let endTime = timeFilteredEnds[partition]
                    guard startTime != nil || endTime != nil else {
                        kept += run
                        continue
                    }
                    seen.insert(partition)
                    // Both found over every record read from the oldest, as a lookup by the
                    // brokers would: the end does not depend on where the start is.
                    let first = startTime.map { time in run.firstIndex { Self.time(of: $0) >= time } ?? run.endIndex }
                        ?? run.startIndex
                    let last = endTime.map { time in run.firstIndex { Self.time(of: $0) >= time } ?? run.endIndex }
                        ?? run.endIndex
                    if last < run.endIndex { ends[partition] = run[last].offset }
                    if startTime != nil { starts[partition] = first < last ? run[first].offset : ends[partition] }
                    if first < last { kept += run[first..<last] }
                }
                records[topic] = kept
            }
            // A filtered partition with no record read at all: nothing in it lies within the bounds.
            for partition in Set(timeFilteredStarts.keys).union(timeFilteredEnds.keys) where !seen.contains(partition) {
                starts[partition] = ends[partition]
            }
        }

        /// A record without a timestamp counts as older than any time.
        private static func time(of record: KafkaRecord) -> Int64 { record.timestamp?.millisecondsSince1970 ?? .min }
    }
}

extension KafkaWatermarks {
    /// `offset` moved into the range the partition holds.
    fileprivate func clamp(_ offset: Int64) -> Int64 { min(max(offset, low), high) }
}
