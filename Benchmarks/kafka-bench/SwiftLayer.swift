import Kafka

/// Sends the workload through `KafkaProducer.produce` (the non-awaiting path) and waits for
/// `flush`; timed from the first `produce` to the end of the flush.
///
/// One message is sent and flushed first, untimed, so connecting, fetching the topic's metadata
/// and getting an idempotent producer ID are not part of the figure.
func swiftProduce(
    bootstrapServers: String, topic: String, workload: Workload, settings: ProducerSettings
) async throws -> Throughput {
    let producer = try KafkaProducer(configuration: settings.swiftConfiguration(bootstrapServers: bootstrapServers))
    let keys = workload.keys
    let value = workload.value
    let headers = workload.headers

    try await producer.produce(topic: topic, key: keys[0], value: value, headers: headers)
    try await producer.flush(timeout: .seconds(30))

    let start = ContinuousClock.now
    for index in 0..<workload.messages {
        try await producer.produce(topic: topic, key: keys[workload.keyIndex(index)], value: value, headers: headers)
    }
    try await producer.flush(timeout: .seconds(120))
    let elapsed = start.duration(to: .now)

    try await producer.close()
    guard producer.deliveredCount == workload.messages + 1 else {
        throw BenchError("Swift producer delivered \(producer.deliveredCount) of \(workload.messages + 1) messages")
    }
    return Throughput(messages: workload.messages, elapsed: elapsed)
}

/// Reads `expected` records of `topic` with a new group, storing each record's offset as an
/// application does when its work is done; timed from the first record to the last, so the
/// group join (about 3 s on the embedded cluster) is left out.
func swiftConsume(bootstrapServers: String, topic: String, groupID: String, expected: Int) async throws -> Throughput {
    var configuration = KafkaConsumerConfiguration(bootstrapServers: [bootstrapServers], groupID: groupID)
    configuration.clientID = "kafka-bench-swift"
    configuration.tuneForEmbeddedCluster()
    configuration.properties = consumerQueueProperties
    let consumer = try KafkaConsumer(configuration: configuration)
    try consumer.subscribe(topics: [topic])

    // Closing ends the sequence: the way out if the records never all arrive.
    let watchdog = Task {
        try await Task.sleep(for: consumeTimeout)
        await consumer.close()
    }
    defer { watchdog.cancel() }

    var received = 0
    var touched = 0  // read the bytes a handler would look at, so none of it is optimised away
    var first = ContinuousClock.now
    var last = first
    for try await record in consumer.messages {
        if received == 0 { first = .now }
        touched &+= record.value.count &+ (record.key?.count ?? 0) &+ record.headers.count
        try consumer.storeOffset(for: record)
        received += 1
        if received == expected {
            last = .now
            break
        }
    }
    await consumer.close()

    guard received == expected else {
        throw BenchError("Swift consumer got \(received) of \(expected) records within \(consumeTimeout)")
    }
    blackHole(touched)
    return Throughput(messages: received - 1, elapsed: first.duration(to: last))
}
