// kafka-bench: the Swift `Kafka` layer against raw librdkafka calls, in one process and one run.
//
// What it measures, for AgentBus-shaped messages (a short key, a 100-byte value, two short
// CloudEvents headers):
//
//   produce  messages/s through `KafkaProducer.produce` + `flush`, and through a C-style loop of
//            `rd_kafka_produceva` + `rd_kafka_poll` + `rd_kafka_flush`, with the same producer
//            properties (idempotence on, acks=all, linger, batch size, queue size).
//   consume  messages/s through `for try await record in consumer.messages` + `storeOffset`, and
//            through `rd_kafka_consumer_poll` + `rd_kafka_offset_store`, each with a new group
//            reading the same pre-produced topic from the beginning, timed from the first record
//            to the last (the group join, ~3 s on the embedded cluster, is left out).
//
// Why the ratio is the figure to look at: both sides drive the same librdkafka against the same
// broker, in the same process, on the same CPUs, alternately, so whatever the machine, the
// embedded (in-process) broker and the noise do to one they do to the other. The absolute rates
// say more about this machine than about AgentBus; the ratio Swift/raw says what the Swift layer
// costs on top of librdkafka (its copies, locks, tasks and per-record values). 100% means free.
//
// Run: swift build -c release --product kafka-bench && .build/release/kafka-bench [--messages N] [--runs R]
// (`--quick` for smaller runs, `--results FILE` for `make bench`'s table; `--help` lists them)

import BenchmarkResults
import CRdKafka
import Kafka

#if canImport(Glibc)
import Glibc
#endif

/// Each run writes to a fresh topic, so no run pays for the broker trimming an earlier one's data.
func measureProduce(
    bootstrapServers: String, partitions: Int, workload: Workload, settings: ProducerSettings, runs: Int,
    cluster: EmbeddedCluster
) async throws -> Comparison {
    var comparison = Comparison(name: "produce")
    print("produce")
    for run in 1...runs {
        // Alternate which side goes first, so a drift in the machine's speed favours neither.
        for side in run % 2 == 1 ? ["raw", "swift"] : ["swift", "raw"] {
            let topic = "bench-produce-\(run)-\(side)"
            try cluster.createTopic(topic, partitions: partitions)
            if side == "raw" {
                let result = try rawProduce(
                    bootstrapServers: bootstrapServers, topic: topic, workload: workload, settings: settings)
                comparison.raw.append(result)
                print(runLine("raw librdkafka", run, result))
            } else {
                let result = try await swiftProduce(
                    bootstrapServers: bootstrapServers, topic: topic, workload: workload, settings: settings)
                comparison.swift.append(result)
                print(runLine("Swift Kafka", run, result))
            }
        }
    }
    return comparison
}

/// Fills one topic with large batches (so each fetch returns big message sets), then has every
/// consumer read all of it with a group of its own.
func measureConsume(
    bootstrapServers: String, partitions: Int, workload: Workload, runs: Int, cluster: EmbeddedCluster
) async throws -> Comparison {
    let topic = "bench-consume"
    try cluster.createTopic(topic, partitions: partitions)
    _ = try rawProduce(
        bootstrapServers: bootstrapServers, topic: topic, workload: workload,
        settings: ProducerSettings(lingerMilliseconds: 50))
    let expected = try storedMessageCount(bootstrapServers: bootstrapServers, topic: topic, partitions: partitions)
    guard expected == workload.messages + 1 else {  // + 1: the producer's untimed first message
        throw BenchError("\(topic) holds \(expected) of \(workload.messages + 1) messages: the broker dropped some")
    }

    var comparison = Comparison(name: "consume")
    print("consume  (each run first waits ~3 s for its group to form)")
    for run in 1...runs {
        for side in run % 2 == 1 ? ["raw", "swift"] : ["swift", "raw"] {
            let groupID = "bench-\(side)-\(run)"
            if side == "raw" {
                let result = try rawConsume(
                    bootstrapServers: bootstrapServers, topic: topic, groupID: groupID, expected: expected)
                comparison.raw.append(result)
                print(runLine("raw librdkafka", run, result))
            } else {
                let result = try await swiftConsume(
                    bootstrapServers: bootstrapServers, topic: topic, groupID: groupID, expected: expected)
                comparison.swift.append(result)
                print(runLine("Swift Kafka", run, result))
            }
        }
    }
    return comparison
}

func printHeader(options: Options, workload: Workload, settings: ProducerSettings, partitions: Int) {
    let key = workload.keys[0].count
    let headers = workload.headers.map(\.name).joined(separator: " + ")
    print(
        """
        kafka-bench: the Swift Kafka layer against raw librdkafka \(String(cString: rd_kafka_version_str())) calls
          cluster   embedded (librdkafka's mock, 1 broker) in this process, sharing the CPUs
          messages  \(workload.messages) per run: \(key) B key (\(Workload.keyCount) keys cycled), \
        \(workload.value.count) B value, headers \(headers)
          produce   enable.idempotence=true acks=all linger.ms=\(settings.lingerMilliseconds) \
        batch.num.messages=\(settings.batchMessages) queue.buffering.max.messages=\(settings.maxQueuedMessages)
                    a fresh \(partitions)-partition topic per run; timed from the first message to the end of flush
          consume   a new group per run reading one \(partitions)-partition topic from the start, storing each offset;
                    fetch.wait.max.ms=5 queued.min.messages=1000000 (librdkafka#2879); timed first record to last
          runs      \(options.runs) of each, alternating raw and Swift; the summary shows the best run
          ratio     Swift / raw: the share of librdkafka's own throughput the Swift layer keeps

        """)
}

let options = Options.parse(Array(CommandLine.arguments.dropFirst()))
let workload = Workload(messages: options.messages)
let settings = ProducerSettings(lingerMilliseconds: options.lingerMilliseconds)
let partitions = workload.partitionsNeeded
printHeader(options: options, workload: workload, settings: settings, partitions: partitions)

do {
    let cluster = try EmbeddedCluster(brokers: 1)
    let produce = try await measureProduce(
        bootstrapServers: cluster.bootstrapServers, partitions: partitions, workload: workload, settings: settings,
        runs: options.runs, cluster: cluster)
    let consume = try await measureConsume(
        bootstrapServers: cluster.bootstrapServers, partitions: partitions, workload: workload, runs: options.runs,
        cluster: cluster)
    cluster.stop()

    print("\nmedian of \(options.runs)")
    print(produce.line(Comparison.median))
    print(consume.line(Comparison.median))
    print("\nbest of \(options.runs)")
    print(produce.line(Comparison.best))
    print(consume.line(Comparison.best))
    if let path = options.results {
        try BenchmarkResultsFile(path: path).append([produce.figure(workload: workload), consume.figure(workload: workload)])
    }
} catch {
    var standardError = StandardError()
    print("kafka-bench: \(error)", to: &standardError)
    exit(1)
}
