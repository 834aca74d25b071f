import AgentBus
import AgentBusReplay
import Kafka

/// Writes a replay log of synthetic workflows shaped like a real run: a root from the CLI, then
/// four agents fanning out two ways, each event handled once with an activity record; one
/// workflow in a hundred has an event dead-lettered, ending its branch.
///
/// Each workflow has 9 events (8 when dead-lettered) and as many activity records.
enum SyntheticLog {
    static let agents = ["intake", "enricher", "scorer", "notifier"]
    static let types = [
        "bench.order.received.v1", "bench.order.enriched.v1", "bench.order.scored.v1", "bench.order.notified.v1",
        "bench.order.archived.v1",
    ]

    struct Written {
        var events = 0
        var records = 0
        var lastCorrelation = ""
    }

    static func write(events target: Int, to path: String) throws -> Written {
        let base: Int64 = 1_795_237_200_000
        let metadata = ReplayLogMetadata(
            readAt: base + Int64(target) * 2 + 60_000, source: "replay-bench synthetic", embeddedCluster: false)
        let writer = try ReplayLogWriter(path: path, metadata: metadata)
        var written = Written()
        var offsets: [String: Int64] = [:]
        var workflow = 0
        func produce(_ envelope: EventEnvelope, topic: String, at time: Int64) throws {
            var envelope = envelope
            envelope.time = EventTime(millisecondsSinceEpoch: time)
            let offset = offsets[topic, default: 0]
            offsets[topic] = offset + 1
            try writer.append(KafkaRecord(
                topic: topic, partition: Int32(workflow % 12), offset: offset,
                timestamp: KafkaTimestamp(millisecondsSince1970: time, kind: .createTime),
                key: envelope.key.map { Array($0.utf8) }, value: envelope.data, headers: envelope.kafkaHeaders))
            written.records += 1
        }
        func handle(_ envelope: EventEnvelope, by agent: String, at time: Int64, published: [String], deadLetter: Bool) throws {
            let activity = ActivityRecord(
                agent: agent, instance: "\(agent)-7f3a", eventId: envelope.id, type: envelope.type,
                source: envelope.source, correlationId: envelope.correlationID, causationId: envelope.causationID,
                topic: envelope.type, partition: Int32(workflow % 12), offset: Int64(workflow), receivedAt: time + 1,
                startedAt: time + 2, finishedAt: time + 4, outcome: deadLetter ? .deadLettered : .ok,
                attempts: deadLetter ? 3 : 1, published: published, failureClass: deadLetter ? .transient : nil,
                error: deadLetter ? "TimeoutError: scoring service did not answer in 2s" : nil)
            let offset = offsets[AgentTopics.activity, default: 0]
            offsets[AgentTopics.activity] = offset + 1
            try writer.append(KafkaRecord(
                topic: AgentTopics.activity, partition: Int32(workflow % 12), offset: offset,
                timestamp: KafkaTimestamp(millisecondsSince1970: time + 4, kind: .createTime),
                key: Array(envelope.correlationID.utf8), value: activity.jsonBytes))
            written.records += 1
            if deadLetter {
                let offset = offsets["\(agent).dlt", default: 0]
                offsets["\(agent).dlt"] = offset + 1
                var headers = envelope.kafkaHeaders
                headers.append(KafkaHeader(name: "agentbus_agent", value: agent))
                headers.append(KafkaHeader(name: "agentbus_failure_class", value: "transient"))
                headers.append(KafkaHeader(name: "kafka_dlt-exception-message", value: "TimeoutError: scoring service did not answer in 2s"))
                try writer.append(KafkaRecord(
                    topic: "\(agent).dlt", partition: 0, offset: offset,
                    timestamp: KafkaTimestamp(millisecondsSince1970: time + 5, kind: .createTime),
                    key: Array(envelope.correlationID.utf8), value: envelope.data, headers: headers))
                written.records += 1
            }
        }

        while written.events < target {
            let start = base + Int64(workflow) * 2
            let payload = Array(#"{"orderId":"o-\#(workflow)","customer":"c-\#(workflow % 977)","amount":\#(workflow % 5000).25,"currency":"EUR","items":3}"#.utf8)
            var level = [EventEnvelope.root(type: types[0], source: "/cli", data: payload, key: "o-\(workflow)")]
            try produce(level[0], topic: types[0], at: start)
            written.events += 1
            written.lastCorrelation = level[0].correlationID
            let failing = workflow % 100 == 99
            for (depth, agent) in agents.enumerated() {
                var next: [EventEnvelope] = []
                for (position, event) in level.enumerated() {
                    let time = start + Int64(depth) * 5
                    if failing && depth == 2 && position == 1 {
                        try handle(event, by: agent, at: time, published: [], deadLetter: true)
                        continue
                    }
                    let fanOut = depth == 0 ? 2 : 1
                    let children = (0..<fanOut).map { index in
                        event.child(type: types[depth + 1], data: payload, agent: agent, index: index, key: "o-\(workflow)")
                    }
                    try handle(event, by: agent, at: time, published: children.map(\.id), deadLetter: false)
                    for child in children {
                        try produce(child, topic: child.type, at: time + 4)
                        written.events += 1
                    }
                    next += children
                }
                level = next
            }
            workflow += 1
        }
        try writer.finish()
        return written
    }
}
