import AgentBus

/// The `chat-hop` role: one link of a chain of three model-backed agents, Work → Left → Right →
/// Done, for cost, budget and rate-limit tests. `AGENTBUS_TEST_HOP` (1, 2 or 3; default 1) picks
/// the link and the agent's name, `test-chat-hop-N`:
///
/// - 1 handles `Work` and publishes a `Left`;
/// - 2 handles `Left` and publishes a `Right`;
/// - 3 handles `Right` and publishes a `Done`.
///
/// Each handling asks the model once with ``HandlerContext/chat(_:using:name:journal:)`` before
/// it publishes, so the call's tokens and cost are recorded and added to the workflow's. The model
/// comes from the command's model options (`--model-url`, `--model-rpm`, ... or their
/// variables); see ``TestAgentCommand/chatModel(environment:)``.
extension TestAgent {
    /// Which link of the chain this instance is.
    var hop: Int { environment["AGENTBUS_TEST_HOP"].flatMap { Int($0) } ?? 1 }

    var chatHopHandler: EventHandler {
        switch hop {
        case 1:
            EventHandler(Work.self) { [chatModel] work, context in
                try await Self.ask(chatModel, about: work.id, context)
                try context.publish(Left(id: work.id, seq: work.seq))
            }
        case 2:
            EventHandler(Left.self) { [chatModel] left, context in
                try await Self.ask(chatModel, about: left.id, context)
                try context.publish(Right(id: left.id, seq: left.seq))
            }
        default:
            EventHandler(Right.self) { [chatModel] right, context in
                try await Self.ask(chatModel, about: right.id, context)
                try context.publish(Done(id: right.id, seq: right.seq, attempt: context.attempt))
            }
        }
    }

    /// One model call, as an effect of the handling.
    static func ask(_ model: (any ModelClient)?, about id: String, _ context: HandlerContext) async throws {
        guard let model else { throw PermanentFailure("the chat-hop role has no model") }
        _ = try await context.chat(ChatRequest(messages: [.user("hop \(id)")]), using: model)
    }
}
