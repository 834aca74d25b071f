import CRdKafka

/// Pausing partitions at librdkafka, for the user and for flow control (see ``ConsumerPauses``).
///
/// Pausing in librdkafka 2.0.2 raises the partition's op version: whatever was fetched for it and
/// not yet returned by `rd_kafka_consumer_poll` is dropped inside the poll, and a resume fetches
/// again from the offset after the last message the poll returned. So a message the polling
/// thread holds is never fetched twice, and one it has not been given is never lost. Resuming a
/// partition that is not paused raises the version too, but fetches again from where it was last
/// paused or assigned, redelivering messages: so flow control resumes only what it paused.
extension ConsumerCore {
    /// ``KafkaConsumer/pause(_:)`` and ``KafkaConsumer/resume(_:)``; the caller holds the gate.
    func changeUserPause(_ partitions: [KafkaTopicPartition], pause: Bool) throws(KafkaError) {
        try pauses.withLock { state throws(KafkaError) in
            var next = state
            let changed = pause ? next.pauseForUser(partitions) : next.resumeForUser(partitions)
            let code = setPaused(changed, pause)
            guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
                throw KafkaError(code, context: "cannot \(pause ? "pause" : "resume") \(partitions.count) partition(s)")
            }
            state = next
        }
        if !pause {
            // The polling thread makes them fetch (``fetchUserResumed()``): only there can
            // nothing be polled between reading a partition's position and seeking to it.
            userResumesAwaitFetch.store(true, ordering: .releasing)
            wakeup.signal()
        }
    }

    /// Makes the partitions the user resumed fetch now (see ``wakeFetchers(_:)``). On the
    /// polling thread, between polls.
    func fetchUserResumed() {
        guard userResumesAwaitFetch.exchange(false, ordering: .acquiring) else { return }
        pauses.withLock { state in
            wakeFetchers(state.takeAwaitingFetch())
        }
    }

    /// The reader is behind: stops fetching every assigned partition, so nothing piles up while
    /// the polling thread keeps serving the group. On the polling thread.
    func pauseForFlow() {
        pauses.withLock { state in
            let paused = state.pauseForFlow(assignment: assignment.withLock { $0 })
            let code = setPaused(paused, true)
            if code != RD_KAFKA_RESP_ERR_NO_ERROR {
                logger.warning(
                    "cannot pause partitions for flow control",
                    metadata: ["error": "\(KafkaError(code, context: "pause").message)"])
            }
            logger.debug("reader behind: partitions paused", metadata: ["partitions": "\(paused)"])
        }
        flowControlSink.yield(true)
    }

    /// The reader caught up: fetches again what flow control paused. On the polling thread.
    func resumeAfterFlow() {
        pauses.withLock { state in
            let resumed = state.resumeAfterFlow()
            let code = setPaused(resumed, false)
            if code == RD_KAFKA_RESP_ERR_NO_ERROR { wakeFetchers(resumed) }
            if code != RD_KAFKA_RESP_ERR_NO_ERROR {
                logger.warning(
                    "cannot resume partitions after flow control",
                    metadata: ["error": "\(KafkaError(code, context: "resume").message)"])
            }
            logger.debug("reader caught up: partitions resumed", metadata: ["partitions": "\(resumed)"])
        }
        flowControlSink.yield(false)
    }

    /// Called right after `rd_kafka_assign`: partitions assigned while the reader is behind are
    /// paused before librdkafka starts fetching them.
    func pauseIfReaderBehind(_ assigned: [KafkaTopicPartition]) {
        pauses.withLock { state in
            let paused = state.assigned(assigned)
            let code = setPaused(paused, true)
            if code != RD_KAFKA_RESP_ERR_NO_ERROR {
                logger.warning(
                    "cannot pause newly assigned partitions",
                    metadata: ["error": "\(KafkaError(code, context: "pause").message)"])
            }
        }
    }

    /// Called as `partitions` are revoked, before they are given up: resumes those still
    /// paused, so an assignment that brings them back starts them unpaused.
    func clearPauses(of partitions: [KafkaTopicPartition]) {
        pauses.withLock { state in
            let resumed = state.revoked(partitions)
            let code = setPaused(resumed, false)
            if code != RD_KAFKA_RESP_ERR_NO_ERROR {
                logger.warning(
                    "cannot resume revoked partitions",
                    metadata: ["error": "\(KafkaError(code, context: "resume").message)"])
            }
        }
    }

    private func setPaused(_ partitions: [KafkaTopicPartition], _ paused: Bool) -> rd_kafka_resp_err_t {
        guard !partitions.isEmpty else { return RD_KAFKA_RESP_ERR_NO_ERROR }
        let list = rd_kafka_topic_partition_list_new(Int32(partitions.count))!
        defer { rd_kafka_topic_partition_list_destroy(list) }
        for partition in partitions { rd_kafka_topic_partition_list_add(list, partition.topic, partition.partition) }
        return paused ? rd_kafka_pause_partitions(handle, list) : rd_kafka_resume_partitions(handle, list)
    }

    /// Makes librdkafka fetch resumed partitions now rather than up to a second later. On the
    /// polling thread, with nothing polled since they were resumed or since their positions moved.
    ///
    /// librdkafka 2.0.2 does not wake a broker thread when a partition is resumed: the thread
    /// sees it at its next timed wake-up, up to 1 s later, and a consumer whose partitions were
    /// all paused fetches nothing until then (measured: 0.6 to 1 s from resume to the first
    /// record, which capped a reader draining half the channel quicker than that at a few
    /// thousand records a second). A seek does wake the thread, so each resumed partition is
    /// sought to its own position: where the resume fetches from anyway, since a pause leaves
    /// the position at the record after the last one the poll returned, and nothing was polled
    /// since. A seek also forgets the position until the partition's next record is polled, so
    /// a partition already at its cached high watermark is not sought: it has nothing to fetch,
    /// and ``KafkaConsumer/positions(of:)`` keeps telling where it is (a read to a transaction
    /// marker at the end relies on that). Nor is a partition without a position (nothing
    /// polled since its assignment or its last seek); both are fetched at their broker thread's
    /// next wake-up, at once if another partition's seek wakes it.
    func wakeFetchers(_ partitions: [KafkaTopicPartition]) {
        guard !partitions.isEmpty else { return }
        let list = rd_kafka_topic_partition_list_new(Int32(partitions.count))!
        defer { rd_kafka_topic_partition_list_destroy(list) }
        for partition in partitions { rd_kafka_topic_partition_list_add(list, partition.topic, partition.partition) }
        guard rd_kafka_position(handle, list) == RD_KAFKA_RESP_ERR_NO_ERROR else { return }
        let seeks = rd_kafka_topic_partition_list_new(list.pointee.cnt)!
        defer { rd_kafka_topic_partition_list_destroy(seeks) }
        for index in 0..<Int(list.pointee.cnt) {
            let partition = list.pointee.elems[index]
            guard partition.offset >= 0 else { continue }
            var low: Int64 = -1
            var high: Int64 = -1
            guard rd_kafka_get_watermark_offsets(handle, partition.topic, partition.partition, &low, &high)
                == RD_KAFKA_RESP_ERR_NO_ERROR, partition.offset < high
            else { continue }
            rd_kafka_topic_partition_list_add(seeks, partition.topic, partition.partition).pointee.offset = partition.offset
        }
        guard seeks.pointee.cnt > 0 else { return }
        // Asynchronous (timeout 0): queued after the resumes, which librdkafka has applied already.
        if let error = rd_kafka_seek_partitions(handle, seeks, 0) {
            logger.debug("cannot wake the fetcher after a resume", metadata: ["error": "\(String(cString: rd_kafka_error_string(error)))"])
            rd_kafka_error_destroy(error)
        }
    }
}
