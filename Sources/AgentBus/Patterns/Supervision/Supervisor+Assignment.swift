import Kafka

extension Supervisor {
    /// Whether the supervisor reads `topic`: the heartbeats, the activity records, every
    /// agent's dead-letter topic, and the topics of the terminal types (`terminalTopics`), where
    /// a workflow's end shows even when no agent handles the terminal event.
    static func watches(_ topic: String, terminalTopics: Set<String>) -> Bool {
        topic == AgentTopics.heartbeats || topic == AgentTopics.activity || topic.hasSuffix(".dlt")
            || terminalTopics.contains(topic)
    }

    /// Lists the cluster's topics and assigns every partition the supervisor watches: the first
    /// time from the lookback, later-found ones (a new `<agent>.dlt`) from their beginning, and
    /// the ones already read from where they were. A listing that fails is logged and tried
    /// again at the next refresh.
    func assignTopics() async {
        let partitions: [KafkaTopicPartition]
        do {
            let terminalTopics = Set(configuration.thresholds.terminalTypes.compactMap {
                publisher.registry.eventSchema(for: $0)?.topic
            })
            partitions = try await admin.topics().filter { Self.watches($0.name, terminalTopics: terminalTopics) }.flatMap { topic in
                (0..<Int32(topic.partitionCount)).map { KafkaTopicPartition(topic: topic.name, partition: $0) }
            }
        } catch {
            logger.warning("could not list the topics to watch", metadata: ["error": "\(error.message)"])
            return
        }
        let known = state.withLock { Set($0.starts.keys) }
        let new = partitions.filter { !known.contains($0) }
        guard !new.isEmpty else { return }
        let initial = known.isEmpty

        var starts: [KafkaTopicPartition: KafkaStartOffset] = Dictionary(uniqueKeysWithValues: new.map { ($0, .beginning) })
        var catchUp: [KafkaTopicPartition: Int64] = [:]
        if initial {
            do {
                (starts, catchUp) = try await lookbackStarts(of: new)
            } catch {
                // Read everything there is; the records' timestamps still keep out the old.
                logger.warning("could not look up where the lookback starts", metadata: ["error": "\(error.message)"])
            }
        }
        let assignment = state.withLock { state in
            for (partition, start) in starts { state.starts[partition] = start }
            state.catchUp.merge(catchUp) { $1 }
            return state.starts.map { partition, start in
                (partition, state.next[partition].map(KafkaStartOffset.offset) ?? start)
            }
        }
        do {
            try consumer.assign(Dictionary(uniqueKeysWithValues: assignment))
            logger.info(
                "watching", metadata: ["partitions": "\(assignment.count)", "new": "\(new.map(\.description).sorted())"])
        } catch {
            logger.error("could not assign the topics to watch", metadata: ["error": "\(error.message)"])
        }
    }

    /// Where each partition's read starts for the lookback, and the high watermarks to catch up
    /// with. Brokers that look offsets up by time give the first record since the lookback; the
    /// embedded cluster cannot (it answers "none" even for time 0), so there every partition is
    /// read from its oldest record.
    private func lookbackStarts(of partitions: [KafkaTopicPartition]) async throws(KafkaError)
        -> (starts: [KafkaTopicPartition: KafkaStartOffset], catchUp: [KafkaTopicPartition: Int64])
    {
        let watermarks = try await admin.watermarks(of: partitions)
        let holding = watermarks.filter { $0.value.high > $0.value.low }
        var starts: [KafkaTopicPartition: KafkaStartOffset] = [:]
        for partition in partitions { starts[partition] = .offset(watermarks[partition]?.high ?? 0) }
        guard let probe = holding.keys.min() else { return (starts, [:]) }
        let since = state.withLock { $0.notBefore }
        let timesWork = try await admin.offsets(forTimes: [probe: 0])[probe].flatMap { $0 } != nil
        if timesWork {
            let offsets = try await admin.offsets(forTimes: holding.mapValues { _ in since })
            for (partition, marks) in holding { starts[partition] = .offset(offsets[partition].flatMap { $0 } ?? marks.high) }
        } else {
            for (partition, marks) in holding { starts[partition] = .offset(marks.low) }
        }
        var catchUp: [KafkaTopicPartition: Int64] = [:]
        for (partition, marks) in holding {
            if case .offset(let start) = starts[partition], start < marks.high { catchUp[partition] = marks.high }
        }
        return (starts, catchUp)
    }
}
