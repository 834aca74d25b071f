import AgentBus
import ArgumentParser
import LoanEvents

/// The explainer executable: the runtime's options, the model's, and the loan schemas built in.
@main
struct ExplainerCommand: AgentCommand {
    static let configuration = CommandConfiguration(
        commandName: "explainer",
        abstract: "Explains each final loan decision in plain language, with a language model.",
        discussion: """
            Runs one instance of the explainer agent until SIGTERM or SIGINT. The model is any \
            OpenAI-compatible API: `agentbus model-server` serves a small one on this machine; \
            OpenAI, Ollama or vLLM work the same (--model-url, --model, $AGENTBUS_MODEL_API_KEY). \
            Its answers are checked; an unusable one is replaced by an explanation built from the \
            decision's reason.
            """)

    @OptionGroup(title: "Runtime options") var runtime: AgentOptions
    @OptionGroup(title: "Model options") var model: ModelOptions

    var embeddedSchemas: EmbeddedSchemas? { .loanEvents }

    func makeAgent(services: inout AgentServices) async throws -> ExplainerAgent {
        ExplainerAgent(model: try model.client())
    }
}
