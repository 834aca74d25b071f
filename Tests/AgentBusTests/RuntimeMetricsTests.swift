import Kafka
import MetricsTestKit
import Testing

@testable import AgentBus

/// The metrics made outside the per-event path: model calls per model, lag per partition.
@Suite("Runtime metrics")
struct RuntimeMetricsTests {
    /// The process's one bootstrap, shared with the in-process runtime tests; made before the
    /// metrics under test are.
    let metrics = AgentRuntimeInProcessTests.metrics

    @Test("model calls count tokens per model and type; answers replayed from the journal do not count")
    func modelCalls() throws {
        let agent = "metrics-model-\(UInt32.random(in: 0...UInt32.max))"
        let recorder = ModelCallMetrics(agent: agent)
        var call = ModelCallRecord(
            effect: "chat-0", provider: "openai", requestModel: "small", responseModel: "small-2026", inputTokens: 27,
            outputTokens: 46, latencyMilliseconds: 80, cost: 0.5, journaled: true, replayed: false)
        recorder.record(call)
        recorder.record(call)
        call.replayed = true
        recorder.record(call)
        let dimensions = [("agent", agent), ("model", "small")]
        #expect(try metrics.expectCounter("agentbus_model_calls_total", dimensions).totalValue == 2)
        #expect(try metrics.expectCounter("agentbus_model_tokens_total", dimensions + [("type", "input")]).totalValue == 54)
        #expect(try metrics.expectCounter("agentbus_model_tokens_total", dimensions + [("type", "output")]).totalValue == 92)
    }

    @Test("lag has a gauge per assigned partition; a partition no longer assigned loses its gauge")
    func lagPerPartition() throws {
        let agent = "metrics-lag-\(UInt32.random(in: 0...UInt32.max))"
        let gauges = PartitionLagGauges(agent: agent)
        let first = KafkaTopicPartition(topic: "t", partition: 0)
        let second = KafkaTopicPartition(topic: "t", partition: 1)
        func dimensions(_ partition: KafkaTopicPartition) -> [(String, String)] {
            [("agent", agent), ("topic", partition.topic), ("partition", String(partition.partition))]
        }
        gauges.record([first: 5, second: 7])
        #expect(try metrics.expectGauge("agentbus_consumer_lag", dimensions(first)).lastValue == 5)
        #expect(try metrics.expectGauge("agentbus_consumer_lag", dimensions(second)).lastValue == 7)
        gauges.record([first: 2])
        #expect(try metrics.expectGauge("agentbus_consumer_lag", dimensions(first)).lastValue == 2)
        #expect(throws: (any Error).self) { try metrics.expectGauge("agentbus_consumer_lag", dimensions(second)) }
    }
}
