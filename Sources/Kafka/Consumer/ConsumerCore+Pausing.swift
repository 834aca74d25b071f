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
            // Not fetched again: they are about to be given up.
            let code = setPaused(resumed, false, fetchNow: false)
            if code != RD_KAFKA_RESP_ERR_NO_ERROR {
                logger.warning(
                    "cannot resume revoked partitions",
                    metadata: ["error": "\(KafkaError(code, context: "resume").message)"])
            }
        }
    }

    /// Pauses or resumes `partitions` at librdkafka; a resume wakes their fetcher unless
    /// `fetchNow` is false.
    private func setPaused(
        _ partitions: [KafkaTopicPartition], _ paused: Bool, fetchNow: Bool = true
    ) -> rd_kafka_resp_err_t {
        guard !partitions.isEmpty else { return RD_KAFKA_RESP_ERR_NO_ERROR }
        let list = rd_kafka_topic_partition_list_new(Int32(partitions.count))!
        defer { rd_kafka_topic_partition_list_destroy(list) }
        for partition in partitions { rd_kafka_topic_partition_list_add(list, partition.topic, partition.partition) }
        if paused { return rd_kafka_pause_partitions(handle, list) }
        let code = rd_kafka_resume_partitions(handle, list)
        if code == RD_KAFKA_RESP_ERR_NO_ERROR, fetchNow { wakeFetchers(resumed: list) }
        return code
    }

    /// Makes librdkafka fetch the resumed partitions now rather than up to a second later.
    ///
    /// librdkafka 2.0.2 does not wake a broker thread when a partition is resumed: the thread
    /// sees it at its next timed wake-up, up to 1 s later, and a consumer whose partitions were
    /// all paused fetches nothing until then (measured: 0.6 to 1 s from resume to the first
    /// record, capping a reader that drains half the channel quicker than that at a few
    /// thousand records a second). A seek does wake the thread, so each resumed partition is
    /// sought to its own position: where the resume fetches from anyway, since the pause left
    /// the position at the record after the last one the poll returned. A partition without a
    /// position (nothing delivered since its assignment or its last seek) is only resumed; it is
    /// fetched when its broker's thread next wakes, at once if another partition's seek wakes it.
    private func wakeFetchers(resumed list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) {
        guard rd_kafka_position(handle, list) == RD_KAFKA_RESP_ERR_NO_ERROR else { return }
        let seeks = rd_kafka_topic_partition_list_new(list.pointee.cnt)!
        defer { rd_kafka_topic_partition_list_destroy(seeks) }
        for index in 0..<Int(list.pointee.cnt) {
            let partition = list.pointee.elems[index]
            guard partition.offset >= 0 else { continue }
            rd_kafka_topic_partition_list_add(seeks, partition.topic, partition.partition).pointee.offset = partition.offset
        }
        guard seeks.pointee.cnt > 0 else { return }
        // Asynchronous (timeout 0): the seeks are queued behind the resumes, in order.
        if let error = rd_kafka_seek_partitions(handle, seeks, 0) {
            logger.debug("cannot wake the fetcher after a resume", metadata: ["error": "\(String(cString: rd_kafka_error_string(error)))"])
            rd_kafka_error_destroy(error)
        }
    }
}
