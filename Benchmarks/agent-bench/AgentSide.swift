import AgentBus
import Foundation
import Logging
import LoanEvents
import ServiceLifecycle

/// Which handler the agent runs (`--handler`): the same runtime with less of the handler's own
/// work, to tell the runtime's cost from the typed handler's.
enum HandlerVariant: String, CaseIterable {
    /// The typed CreditChecked → RiskScored handler below, its debug log line included.
    case typed
    /// The same without the `context.logger.debug` line.
    case nolog
    /// An untyped handler publishing a fixed RiskScored payload: no JSONDecoder, no JSONEncoder,
    /// no logger; the runtime still validates the input and the output.
    case untyped
}

/// The agent under test: a risk scorer over credit checks, CreditChecked → RiskScored, written as
/// the example agents are (its debug log line included, which costs even when debug is off). It
/// is the example risk-scorer's first version, kept so the measured hop stays the same as the
/// example now scores assessments.
///
/// With ``effects`` or a ``model`` it declares `usesEffects`, so the runtime keeps its journal
/// and writes a handled marker per event: the journal and model parts of the benchmark measure
/// what that costs the same hop.
struct BenchRiskScorer: Agent {
    let name = "risk-scorer"
    let version = "1.0.0"
    let produces = [RiskScored.eventType]
    let capabilities = ["risk-model:risk-v3"]
    var variant = HandlerVariant.typed
    /// `context.effect` calls each handling runs before it publishes, one after the other.
    var effects = 0
    /// Asked once per handling with `context.chat`, before it publishes.
    var model: (any ModelClient)?
    var usesEffects: Bool { effects > 0 || model != nil }
    /// What the untyped handler publishes.
    static let fixedOutput = try! RiskScored.examples[0].jsonPayload()

    /// An effect's result: small, as a lookup in another service would return.
    struct CreditLimit: Codable, Sendable {
        var applicantId: String
        var limit: Int
    }

    var handlers: [EventHandler] {
        switch variant {
        case .typed: typedHandler(logging: true)
        case .nolog: typedHandler(logging: false)
        case .untyped:
            EventHandler(type: CreditChecked.eventType) { [effects, model] _, context in
                try await Self.callOut(effects: effects, model: model, applicant: context.event.id, context: context)
                try context.publish(type: RiskScored.eventType, payload: Self.fixedOutput)
            }
        }
    }

    private func typedHandler(logging: Bool) -> EventHandler {
        EventHandler(CreditChecked.self) { [effects, model] report, context in
            try await Self.callOut(effects: effects, model: model, applicant: report.applicantId, context: context)
            let creditFactor = Double(850 - report.score) / 550 * 0.5
            let delinquencyFactor = min(Double(report.delinquencies) * 0.1, 0.3)
            let debtFactor = min(report.outstandingDebt.amount / 100_000, 0.2)
            let score = min(max(creditFactor + delinquencyFactor + debtFactor, 0), 1)
            if logging { context.logger.debug("scored", metadata: ["score": "\(score)"]) }
            let factors: [RiskScored.Factor] = [
                .init(name: "creditScore", weight: (creditFactor * 100).rounded() / 100),
                .init(name: "delinquencies", weight: (delinquencyFactor * 100).rounded() / 100),
                .init(name: "debt", weight: (debtFactor * 100).rounded() / 100),
            ]
            let requested = Money.rounded(25_000, currency: report.outstandingDebt.currency)  // a check carries no amount
            try context.publish(
                RiskScored(
                    applicationId: report.applicationId, applicantId: report.applicantId, requested: requested,
                    score: (score * 100).rounded() / 100, grade: RiskScored.Grade.allCases[min(Int(score * 5), 4)],
                    debtToIncomeRatio: (debtFactor * 500).rounded() / 100, factors: factors,
                    model: "risk-v3", scoredAt: Date()))
        }
    }

    /// The journaled calls of one handling: `effects` lookups (`lookup`, `lookup-1`, ...), then
    /// the model, each awaited before the next as a handler that needs their answers would.
    private static func callOut(
        effects: Int, model: (any ModelClient)?, applicant: String, context: HandlerContext
    ) async throws {
        for index in 0..<effects {
            _ = try await context.effect(index == 0 ? "lookup" : "lookup-\(index)") {
                CreditLimit(applicantId: applicant, limit: 25_000)
            }
        }
        if let model {
            _ = try await context.chat(
                ChatRequest(
                    messages: [.system("Name the main credit risk in one sentence."), .user("Applicant \(applicant)")],
                    maxTokens: 40),
                using: model)
        }
    }

    /// The topics the runtime uses besides the event topics, created up front (the mock has no
    /// Admin API, and the consumer would log "unknown topic" for a retry topic that is missing).
    static func runtimeTopics(agent: String) -> [(String, Int)] {
        AgentTopics.retryTiers(of: agent, delays: RetryPolicy().retryTopicDelays).map { ($0, 1) } + [
            (AgentTopics.deadLetter(of: agent), 1),
            // Keyed by event ID, one record per effect and one handled marker per event.
            (AgentTopics.journal(of: agent), benchPartitions),
            // One record per handled event, keyed by correlation ID: spread like the events.
            (AgentTopics.activity, benchPartitions), (AgentTopics.heartbeats, 1), (AgentTopics.registry, 1),
        ]
    }
}

/// An `AgentRuntime` run in this process, in a `ServiceGroup`, stopped gracefully.
final class RunningAgent: Sendable {
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    init(bootstrapServers: String, schemas: String, instance: String, setup: AgentSetup) throws {
        var logger = Logger(label: "agent-bench.agent") { label in
            WithoutConfigurationWarnings(inner: StreamLogHandler.standardError(label: label))
        }
        logger.logLevel = .warning
        var properties: [String: String] = [:]
        for (key, value) in SharedClientProperties.consumer + SharedClientProperties.producer { properties[key] = value }
        let configuration = AgentRuntimeConfiguration(
            brokers: BrokerEndpoint(bootstrapServers: [bootstrapServers], source: .flag), instanceID: instance,
            concurrency: setup.concurrency, schemas: SchemaDirectory(path: schemas, source: .flag),
            properties: properties)
        let model = try setup.modelURL.map { text in
            guard let url = URL(string: text) else { throw BenchError("--model-url \(text) is not a URL") }
            return OpenAICompatibleClient(configuration: .init(baseURL: url, model: "bench-model"))
        }
        let agent = BenchRiskScorer(variant: setup.handler, effects: setup.effects, model: model)
        let runtime = try AgentRuntime(agent: agent, configuration: configuration, logger: logger)
        let group = ServiceGroup(services: [runtime], logger: logger)
        self.group = group
        task = Task { try await group.run() }
    }

    /// Stops reading, lets handlers finish, waits for acknowledgements, commits, leaves the group.
    func stop() async throws {
        await group.triggerGracefulShutdown()
        try await task.value
    }
}

/// Standard error, without librdkafka's CONFWARN lines: `AgentRuntimeConfiguration.properties`
/// go to both the agent's consumer and its producer, so each warns at start about the other's
/// properties (fetch.wait.max.ms, linger.ms, ...). Everything else at warning and above shows.
struct WithoutConfigurationWarnings: LogHandler {
    var inner: StreamLogHandler

    func log(event: LogEvent) {
        if event.metadata?["librdkafka.facility"]?.description == "CONFWARN" { return }
        inner.log(event: event)
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { inner[metadataKey: key] }
        set { inner[metadataKey: key] = newValue }
    }

    var metadata: Logger.Metadata {
        get { inner.metadata }
        set { inner.metadata = newValue }
    }

    var logLevel: Logger.Level {
        get { inner.logLevel }
        set { inner.logLevel = newValue }
    }
}
