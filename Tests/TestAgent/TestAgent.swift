import AgentBus
import Foundation

/// The agent the runtime's integration tests run as real processes; `AGENTBUS_TEST_ROLE`
/// picks what it does:
///
/// - `worker` (agent `test-worker`): handles `Work` and publishes `Done`, failing as the work's
///   `behavior` says;
/// - `sink` (agent `test-sink`): handles `Done` and publishes nothing;
/// - `chat-hop` (agent `test-chat-hop-N`, uses effects): link N of a chain of model calls (see
///   TestAgent+ChatHop.swift);
/// - `ping` / `pong` (agents `test-ping`, `test-pong`): answer each other for ever, a loop the
///   hop limit or the cost budget must stop (each handling spends `AGENTBUS_TEST_COST`, if set);
/// - `fanout` (agent `test-fanout`): handles `Work` and publishes a `Left` and a `Right`, a
///   branching workflow for replay;
/// - `left` (agent `test-left`): handles `Left` and publishes `Done`;
/// - `right` (agent `test-right`): handles `Right` and refuses it with a `PermanentFailure`, so
///   that branch is dead-lettered;
/// - `timer` (agent `test-timer`, uses timers): handles `Work` by setting the timer `reminder`,
///   which fires a `Done` `AGENTBUS_TEST_TIMER_MS` (default 3000) after the handling;
/// - `slow` (agent `test-slow`): handles `Work` like `worker`, logging `slow handler started`
///   first, so a test knows when a long handler (behavior `sleep`) is running;
/// - `effects` (agent `test-effects`, uses effects): handles `Work` by running the effect
///   `lookup` (a random score) and, when `AGENTBUS_TEST_MODEL_URL` names an OpenAI-compatible
///   server, a model call; publishes a `Done` whose `id` carries the score and the answer's
///   output tokens, whose `answer` is the model's answer, and whose `seq` is the work's plus
///   `AGENTBUS_TEST_SEQ_OFFSET` (default 0): the recorded workflow `replay rerun` reruns, and
///   the change it shows. After the model call it logs `model answered` (with the score, the
///   answer and whether the call was replayed from the journal), then, when the call was made
///   live (not replayed), waits `AGENTBUS_TEST_HOLD_MS` (default 0) before going on, so a test
///   can kill the instance or take its partition away between the call and the output; then it
///   acts on the work's `behavior` like `worker` (failing once, while a file exists, ...), so
///   the failures come after the call.
///
/// Policies come from the environment so tests can keep retries short:
/// `AGENTBUS_TEST_RETRY_DELAYS_MS` (comma-separated retry-topic delays, default none),
/// `AGENTBUS_TEST_HOP_LIMIT`, `AGENTBUS_TEST_DEADLINE_MS`, `AGENTBUS_TEST_ORDERING` (`key`),
/// `AGENTBUS_TEST_MAX_WORKFLOW_COST`.
struct TestAgent: Agent {
    let role: String
    let environment: [String: String]

    var name: String { environment["AGENTBUS_TEST_AGENT_NAME"] ?? (role == "chat-hop" ? "test-chat-hop-\(hop)" : "test-\(role)") }

    var usesTimers: Bool { role == "timer" }

    var usesEffects: Bool { role == "effects" || role == "chat-hop" }

    /// The model of the `chat-hop` role, made from the command's model options.
    var chatModel: (any ModelClient)? = nil

    /// The `effects` role's model, when `AGENTBUS_TEST_MODEL_URL` is set. A minute per call: the
    /// local model shares the machine with the other tests and, in `make test`, a fault-injection
    /// run, and took over 10 s there; a call that times out is made again, and the server counts
    /// both, which the tests comparing its token counts with the journal's would take for a
    /// repeated call.
    var model: OpenAICompatibleClient? {
        environment["AGENTBUS_TEST_MODEL_URL"].flatMap(URL.init(string:)).map {
            OpenAICompatibleClient(configuration: .init(baseURL: $0, model: "smollm2-135m", timeout: .seconds(60)))
        }
    }

    /// Added to the `effects` role's output `seq`: a changed handler without a second build.
    var seqOffset: Int { environment["AGENTBUS_TEST_SEQ_OFFSET"].flatMap { Int($0) } ?? 0 }

    /// How long the `effects` role waits after a live model call before it goes on.
    var holdAfterModelCall: Duration { .milliseconds(environment["AGENTBUS_TEST_HOLD_MS"].flatMap { Int($0) } ?? 0) }

    /// What the `effects` role's `lookup` effect returns (and journals).
    struct Lookup: Codable, Sendable {
        var score: Int
    }

    /// What each handling of the ping/pong loop spends (``HandlerContext/addCost(_:)``).
    var costPerHandling: Double { environment["AGENTBUS_TEST_COST"].flatMap { Double($0) } ?? 0 }

    /// How long after a `timer` handling its timer fires.
    var timerDelay: Duration { .milliseconds(environment["AGENTBUS_TEST_TIMER_MS"].flatMap { Int($0) } ?? 3000) }

    var policies: AgentPolicies {
        var policies = AgentPolicies()
        let delays = (environment["AGENTBUS_TEST_RETRY_DELAYS_MS"] ?? "").split(separator: ",").compactMap { Int($0) }
        policies.retry = RetryPolicy(
            inPlaceAttempts: 3, initialBackoff: .milliseconds(20), maxBackoff: .milliseconds(100),
            retryTopicDelays: delays.map { .milliseconds($0) })
        if let limit = environment["AGENTBUS_TEST_HOP_LIMIT"].flatMap({ Int($0) }) { policies.hopLimit = limit }
        if let deadline = environment["AGENTBUS_TEST_DEADLINE_MS"].flatMap({ Int($0) }) {
            policies.handlerDeadline = .milliseconds(deadline)
        }
        if environment["AGENTBUS_TEST_ORDERING"] == "key" { policies.ordering = .key(maxInFlight: 8) }
        policies.maxWorkflowCost = environment["AGENTBUS_TEST_MAX_WORKFLOW_COST"].flatMap { Double($0) }
        return policies
    }

    var handlers: [EventHandler] {
        switch role {
        case "chat-hop":
            chatHopHandler
        case "worker":
            EventHandler(Work.self) { work, context in
                try await Self.act(on: work, attempt: context.attempt)
                try context.publish(Done(id: work.id, seq: work.seq, attempt: context.attempt))
            }
        case "sink":
            EventHandler(Done.self) { _, _ in }
        case "ping":
            EventHandler(Ping.self) { [costPerHandling] ping, context in
                context.addCost(costPerHandling)
                try context.publish(Pong(n: ping.n + 1))
            }
        case "fanout":
            EventHandler(Work.self) { work, context in
                try context.publish(Left(id: work.id, seq: work.seq))
                try context.publish(Right(id: work.id, seq: work.seq))
            }
        case "left":
            EventHandler(Left.self) { left, context in
                try context.publish(Done(id: left.id, seq: left.seq, attempt: context.attempt))
            }
        case "right":
            EventHandler(Right.self) { right, _ in throw PermanentFailure("right branch refused \(right.id)") }
        case "timer":
            EventHandler(Work.self) { [timerDelay] work, context in
                try context.schedule(
                    Done(id: work.id, seq: work.seq, attempt: context.attempt), after: timerDelay, name: "reminder")
            }
        case "slow":
            EventHandler(Work.self) { work, context in
                context.logger.info("slow handler started", metadata: ["work": "\(work.id)"])
                try await Self.act(on: work, attempt: context.attempt)
                try context.publish(Done(id: work.id, seq: work.seq, attempt: context.attempt))
            }
        case "effects":
            EventHandler(Work.self) { [model, seqOffset, holdAfterModelCall] work, context in
                let lookup = try await context.effect("lookup") { Lookup(score: Int.random(in: 1000...9999)) }
                var tokens = ""
                var answer: String?
                if let model {
                    let response = try await context.chat(ChatRequest(messages: [.user("score \(work.id)")]), using: model)
                    tokens = "/\(response.usage.outputTokens)"
                    answer = response.content
                    let replayed = context.modelCalls.last?.replayed ?? false
                    context.logger.info(
                        "model answered",
                        metadata: ["score": "\(lookup.score)", "replayed": "\(replayed)", "answer": "\(response.content)"])
                    if !replayed, holdAfterModelCall > .zero { try await Task.sleep(for: holdAfterModelCall) }
                }
                try await Self.act(on: work, attempt: context.attempt)
                try context.publish(Done(
                    id: "\(work.id):\(lookup.score)\(tokens)", seq: work.seq + seqOffset, attempt: context.attempt,
                    answer: answer))
            }
        default:
            EventHandler(Pong.self) { [costPerHandling] pong, context in
                context.addCost(costPerHandling)
                try context.publish(Ping(n: pong.n + 1))
            }
        }
    }

    struct InjectedFailure: Error, CustomStringConvertible {
        let description: String
    }

    static func act(on work: Work, attempt: Int) async throws {
        switch work.behavior {
        case "fail-always":
            throw InjectedFailure(description: "injected failure for \(work.id)")
        case "fail-until-attempt":
            if attempt < (work.untilAttempt ?? 1) {
                throw InjectedFailure(description: "injected failure on attempt \(attempt) of \(work.id)")
            }
        case "fail-while-file":
            if let file = work.file, FileManager.default.fileExists(atPath: file) {
                throw InjectedFailure(description: "\(file) exists")
            }
        case "permanent":
            throw PermanentFailure("refused \(work.id) for good")
        case "sleep":
            try await Task.sleep(for: .milliseconds(work.sleepMs ?? 0))
        default:
            break
        }
    }
}
