@testable import AgentBus
import Foundation
import Kafka
import Logging
import Testing
import Tracing

/// Spans and trace context: an event published with ``EventPublisher``, handled by an in-process
/// ``AgentRuntime`` that publishes a child, against an embedded cluster, with a W3C test tracer.
@Suite("Tracing", .serialized, .timeLimit(.minutes(2)))
struct TracingTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/schemas").path
    static let agent = "traced-worker"

    struct Work: TypedEvent {
        static let eventType = "test.agentbus.work.v1"
        var id: String
        var seq: Int
        var behavior: String
    }

    struct Done: TypedEvent {
        static let eventType = "test.agentbus.done.v1"
        var id: String
        var seq: Int
        var attempt: Int
    }

    struct Failure: Error {}

    /// Publishes `Done` for each `Work`, inside a span of its own (to see where handler spans
    /// go); "fail-always" fails both in-place attempts, then is dead-lettered.
    struct TracedWorker: Agent {
        let name = TracingTests.agent
        let tracer: any Tracer
        var policies: AgentPolicies {
            AgentPolicies(retry: RetryPolicy(inPlaceAttempts: 2, initialBackoff: .milliseconds(1), retryTopicDelays: []))
        }
        var handlers: [EventHandler] {
            EventHandler(Work.self) { work, context in
                if work.behavior == "fail-always" { throw Failure() }
                tracer.withSpan("handler work") { _ in }
                try context.publish(Done(id: work.id, seq: work.seq, attempt: context.attempt))
            }
        }
    }

    /// An agent instance on its own embedded cluster, and a way to read what it wrote.
    struct Fixture {
        let cluster: EmbeddedCluster
        let runtime: AgentRuntime
        let running: Task<Void, any Error>
        let producer: KafkaProducer
        let registry: SchemaRegistry

        init(tracer: any Tracer) throws {
            cluster = try EmbeddedCluster(brokers: 1)
            for topic in ["test.work", "test.done", "\(agent).retry.0s", "\(agent).dlt"] + AgentTopics.runtime {
                try cluster.createTopic(topic, partitions: 1)
            }
            var logger = Logger(label: "test")
            logger.logLevel = .critical
            var configuration = AgentRuntimeConfiguration(
                brokers: BrokerEndpoint(bootstrapServers: [cluster.bootstrapServers], source: .devBroker(path: "")),
                instanceID: "traced", schemas: SchemaDirectory(path: fixtures, source: .flag))
            configuration.tracer = tracer
            let runtime = try AgentRuntime(agent: TracedWorker(tracer: tracer), configuration: configuration, logger: logger)
            self.runtime = runtime
            running = Task { try await runtime.run() }
            producer = try KafkaProducer(configuration: .init(bootstrapServers: [cluster.bootstrapServers]))
            registry = try SchemaDirectory(path: fixtures, source: .flag).load()
        }

        /// Reads `topic` from the beginning until `count` records arrived.
        func read(_ topic: String, count: Int) async throws -> [KafkaRecord] {
            var configuration = KafkaConsumerConfiguration(
                bootstrapServers: [cluster.bootstrapServers], groupID: "reader-\(UUID())")
            configuration.tuneForEmbeddedCluster()
            let consumer = try KafkaConsumer(configuration: configuration)
            try consumer.assign([KafkaTopicPartition(topic: topic, partition: 0): .beginning])
            var records: [KafkaRecord] = []
            for try await record in consumer.messages {
                records.append(record)
                if records.count == count { break }
            }
            await consumer.close()
            return records
        }

        /// Stops the instance: every record's processing is over, every output acknowledged, so
        /// every span has ended.
        func stop() async throws {
            runtime.requestStop()
            try await running.value
            try await producer.close()
            cluster.stop()
        }
    }

    static func traceParent(of record: KafkaRecord) -> TraceParent? {
        record.headers["traceparent"].flatMap { TraceParent(String(decoding: $0.array, as: UTF8.self)) }
    }

    @Test("producer and consumer spans are linked (test tracer)")
    func linkedSpans() async throws {
        let tracer = W3CTestTracer()
        let fixture = try Fixture(tracer: tracer)
        let publisher = EventPublisher(producer: fixture.producer, registry: fixture.registry, source: "/test", tracer: tracer)
        let published = try await publisher.publish(Work(id: "w1", seq: 0, behavior: "ok"), key: "work-key")
        let input = try #require(try await fixture.read("test.work", count: 1).first)
        let output = try #require(try await fixture.read("test.done", count: 1).first)
        try await fixture.stop()

        let spans = tracer.finishedSpans
        let sendInput = try #require(spans.first { $0.name == "send test.work" }, "\(spans.map(\.name))")
        let process = try #require(spans.first { $0.name == "process test.work" }, "\(spans.map(\.name))")
        let sendOutput = try #require(spans.first { $0.name == "send test.done" }, "\(spans.map(\.name))")
        let handlerWork = try #require(spans.first { $0.name == "handler work" }, "\(spans.map(\.name))")
        #expect(spans.count == 4, "\(spans.map(\.name))")
        #expect(sendInput.kind == .producer)
        #expect(process.kind == .consumer)
        #expect(sendOutput.kind == .producer)

        // The input on Kafka carries the publisher's send span, which starts the trace.
        #expect(Self.traceParent(of: input) == sendInput.traceParent)
        #expect(published.envelope.traceParent == sendInput.traceParent)
        #expect(sendInput.parentSpanID == nil)
        // The consumer span is the send span's child, and links to it.
        #expect(process.parentSpanID == sendInput.traceParent.spanID)
        #expect(process.links.map(\.traceParent) == [sendInput.traceParent])
        // The handler runs in the consumer span's context.
        #expect(handlerWork.parentSpanID == process.traceParent.spanID)
        // The output's send span is the consumer span's child, and the output on Kafka carries it.
        #expect(sendOutput.parentSpanID == process.traceParent.spanID)
        #expect(Self.traceParent(of: output) == sendOutput.traceParent)
        // One trace throughout.
        #expect(Set(spans.map(\.traceParent.traceIDHex)).count == 1)

        // The output is the event the handler published: its derived ID is unchanged by tracing.
        let outputEnvelope = try EventEnvelope(record: output)
        #expect(outputEnvelope.id == EventID.derived(from: published.envelope.id, agent: Self.agent, type: Done.eventType, index: 0).description)
        #expect(outputEnvelope.causationID == published.envelope.id)

        // The consumer span's attributes.
        #expect(process.string("messaging.system") == "kafka")
        #expect(process.string("messaging.operation.type") == "process")
        #expect(process.string("messaging.operation.name") == "process")
        #expect(process.string("messaging.destination.name") == "test.work")
        #expect(process.string("messaging.destination.partition.id") == String(input.partition))
        #expect(process.int("messaging.kafka.offset") == input.offset)
        #expect(process.string("messaging.kafka.message.key") == "work-key")
        #expect(process.string("messaging.message.id") == published.envelope.id)
        #expect(process.string("messaging.consumer.group.name") == Self.agent)
        #expect(process.string("cloudevents.event_id") == published.envelope.id)
        #expect(process.string("cloudevents.event_source") == "/test")
        #expect(process.string("cloudevents.event_type") == Work.eventType)
        #expect(process.string("cloudevents.event_spec_version") == "1.0")
        #expect(process.string("agentbus.correlation_id") == published.envelope.correlationID)
        #expect(process.string("agentbus.causation_id") == nil)
        #expect(process.string("agentbus.agent") == Self.agent)
        #expect(process.string("agentbus.instance") == "traced")
        #expect(process.string("agentbus.outcome") == "ok")
        #expect(process.int("agentbus.attempts") == 1)
        #expect(process.status == nil)
        #expect(process.events.isEmpty)

        // The send spans' attributes.
        #expect(sendInput.string("messaging.system") == "kafka")
        #expect(sendInput.string("messaging.operation.type") == "send")
        #expect(sendInput.string("messaging.operation.name") == "send")
        #expect(sendInput.string("messaging.destination.name") == "test.work")
        #expect(sendInput.string("messaging.message.id") == published.envelope.id)
        #expect(sendInput.string("messaging.kafka.message.key") == "work-key")
        #expect(sendInput.string("cloudevents.event_type") == Work.eventType)
        #expect(sendInput.int("messaging.kafka.offset") == published.offset)
        #expect(sendOutput.string("messaging.system") == "kafka")
        #expect(sendOutput.string("messaging.operation.type") == "send")
        #expect(sendOutput.string("messaging.destination.name") == "test.done")
        #expect(sendOutput.string("messaging.message.id") == outputEnvelope.id)
        #expect(sendOutput.string("cloudevents.event_id") == outputEnvelope.id)
        #expect(sendOutput.string("cloudevents.event_source") == "/agents/\(Self.agent)")
        #expect(sendOutput.string("cloudevents.event_type") == Done.eventType)
        #expect(sendOutput.string("agentbus.correlation_id") == published.envelope.correlationID)
        #expect(sendOutput.string("agentbus.causation_id") == published.envelope.id)
        // Ended on the broker's acknowledgement, which says where the output went.
        #expect(sendOutput.string("messaging.destination.partition.id") == String(output.partition))
        #expect(sendOutput.int("messaging.kafka.offset") == output.offset)
    }

    @Test("a failing handler's consumer span has status error and an exception event per attempt")
    func failingHandler() async throws {
        let tracer = W3CTestTracer()
        let fixture = try Fixture(tracer: tracer)
        let publisher = EventPublisher(producer: fixture.producer, registry: fixture.registry, source: "/test", tracer: tracer)
        let published = try await publisher.publish(Work(id: "w2", seq: 0, behavior: "fail-always"))
        let deadLetter = try #require(try await fixture.read("\(Self.agent).dlt", count: 1).first)
        try await fixture.stop()

        let spans = tracer.finishedSpans
        let sendInput = try #require(spans.first { $0.name == "send test.work" }, "\(spans.map(\.name))")
        let process = try #require(spans.first { $0.name == "process test.work" }, "\(spans.map(\.name))")
        #expect(!spans.contains { $0.name.hasPrefix("send test.done") || $0.name == "handler work" })
        #expect(process.parentSpanID == sendInput.traceParent.spanID)
        #expect(process.status?.code == .error)
        #expect(process.string("agentbus.outcome") == "dead-lettered")
        #expect(process.int("agentbus.attempts") == 2)
        #expect(process.string("agentbus.failure_class") == "transient")
        #expect(process.string("error.type")?.hasSuffix("Failure") == true)
        #expect(process.events.map(\.name) == ["exception", "exception"])
        #expect(process.events.map { $0.attributes.get("agentbus.attempt") } == [.int64(1), .int64(2)])
        // The dead letter keeps the input's trace context as it came.
        #expect(Self.traceParent(of: deadLetter) == published.envelope.traceParent)
    }

    @Test("without a tracer, outputs carry a child traceparent of the input's trace, and publish keeps its own")
    func noTracer() async throws {
        let fixture = try Fixture(tracer: NoOpTracer())
        let publisher = EventPublisher(
            producer: fixture.producer, registry: fixture.registry, source: "/test", tracer: NoOpTracer())
        let prepared = try publisher.prepare(
            type: Work.eventType, payload: try Work(id: "w3", seq: 0, behavior: "ok").jsonPayload())
        let published = try await publisher.publish(prepared.envelope)
        let input = try #require(try await fixture.read("test.work", count: 1).first)
        let output = try #require(try await fixture.read("test.done", count: 1).first)
        try await fixture.stop()

        let sent = try #require(prepared.envelope.traceParent)
        #expect(published.envelope.traceParent == sent)
        #expect(Self.traceParent(of: input) == sent)
        let child = try #require(Self.traceParent(of: output))
        #expect(child.traceIDHex == sent.traceIDHex)
        #expect(child.spanID != sent.spanID)
        #expect(child.flags == sent.flags)
    }

    @Test("the envelope carrier reads and writes traceparent and tracestate only")
    func envelopeCarrier() throws {
        var envelope = EventEnvelope.root(type: Work.eventType, source: "/test", data: Array("{}".utf8))
        envelope.traceState = "vendor=1"
        let original = try #require(envelope.traceParent)
        let carrier = EnvelopeTraceCarrier()

        carrier.inject("not a traceparent", forKey: "traceparent", into: &envelope)
        carrier.inject("b3-value", forKey: "b3", into: &envelope)
        #expect(envelope.traceParent == original)
        #expect(envelope.traceState == "vendor=1")

        let header = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
        carrier.inject(header, forKey: "traceparent", into: &envelope)
        #expect(envelope.traceParent?.description == header)
        #expect(envelope.traceState == "vendor=1")
        carrier.inject("other=2", forKey: "tracestate", into: &envelope)
        #expect(envelope.traceState == "other=2")

        #expect(carrier.extract(key: "traceparent", from: envelope) == header)
        #expect(carrier.extract(key: "tracestate", from: envelope) == "other=2")
        #expect(carrier.extract(key: "baggage", from: envelope) == nil)
    }

    @Test("a child event published outside a handler continues its trace; a root event starts one")
    func publishParent() throws {
        let tracing = EventTracing(W3CTestTracer())
        let root = EventEnvelope.root(type: Work.eventType, source: "/test", data: Array("{}".utf8))
        var child = root.child(type: Done.eventType, data: Array("{}".utf8), agent: "a", index: 0)
        let childTraceParent = try #require(child.traceParent)
        let span = try #require(
            tracing.startSendSpan(for: &child, topic: "test.done", parent: tracing.parent(publishing: child)))
        span.end()
        #expect(child.traceParent?.traceIDHex == childTraceParent.traceIDHex)
        #expect(child.traceParent?.spanID != childTraceParent.spanID)

        var another = EventEnvelope.root(type: Work.eventType, source: "/test", data: Array("{}".utf8))
        let rootTraceParent = try #require(another.traceParent)
        let rootSpan = try #require(
            tracing.startSendSpan(for: &another, topic: "test.work", parent: tracing.parent(publishing: another)))
        rootSpan.end()
        #expect(another.traceParent?.traceIDHex != rootTraceParent.traceIDHex)

        #expect(EventTracing(NoOpTracer()).tracer == nil)
    }
}
