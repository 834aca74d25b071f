import Kafka
import Metrics
import Synchronization

/// `agentbus_consumer_lag{agent, topic, partition}`: one gauge per assigned partition, made when
/// the partition is first recorded and destroyed once it is no longer assigned, so a scrape shows
/// only the partitions this instance owns.
final class PartitionLagGauges: Sendable {
    private let agent: String
    private let gauges = Mutex<[KafkaTopicPartition: Gauge]>([:])

    init(agent: String) { self.agent = agent }

    /// Records each partition's lag; `lag` holds every assigned partition.
    func record(_ lag: [KafkaTopicPartition: Int64]) {
        let gone: [Gauge] = gauges.withLock { gauges in
            for (partition, records) in lag {
                let gauge = gauges[partition] ?? {
                    let gauge = Gauge(
                        label: "agentbus_consumer_lag",
                        dimensions: [("agent", agent), ("topic", partition.topic), ("partition", String(partition.partition))])
                    gauges[partition] = gauge
                    return gauge
                }()
                gauge.record(records)
            }
            let revoked = gauges.keys.filter { lag[$0] == nil }
            return revoked.compactMap { gauges.removeValue(forKey: $0) }
        }
        for gauge in gone { gauge.destroy() }
    }
}
