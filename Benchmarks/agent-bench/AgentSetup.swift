/// What the agent side runs: its handler, the journaled effects of each handling, a model call,
/// and its concurrency. The hop part runs the default (the typed handler, nothing journaled);
/// the journal and model parts vary the rest, on the same hop.
struct AgentSetup: Hashable {
    var handler = HandlerVariant.typed
    /// `context.effect` calls per event; above 0 the agent declares `usesEffects`.
    var effects = 0
    /// An OpenAI-compatible API's base URL (`http://127.0.0.1:PORT/v1`): each event then asks it
    /// once, through `context.chat` and `OpenAICompatibleClient`.
    var modelURL: String?
    /// Overrides the agent's concurrency (`AgentPolicies.concurrency`, 64 by default).
    var concurrency: Int?

    /// Whether the agent declares `usesEffects`: it then keeps `<agent>.journal` and writes a
    /// handled marker there per event.
    var journals: Bool { effects > 0 || modelURL != nil }

    /// The journal part's name for an agent running `effects` effects: `plain handler` (nothing
    /// journaled), `1 effect`, `2 effects`.
    static func effectsLabel(_ effects: Int) -> String {
        switch effects {
        case 0: "plain handler"
        case 1: "1 effect"
        default: "\(effects) effects"
        }
    }
}
