/// What the runtime lends a handling besides publishing: the agent's timers, its state store,
/// the capability directory and its effect journal. Each is nil when the agent does not use it (or, in tests, when
/// the harness provides none), and the context's methods then say so in their error.
package struct HandlerServices: Sendable {
    /// `<agent>.timers`, when the agent declares ``Agent/usesTimers``.
    package var timersTopic: String?
    /// The agent's state, when it declares ``Agent/usesState``.
    package var state: StateStore?
    /// Live agents and their capabilities, from the registry and heartbeats.
    package var directory: CapabilityDirectory?
    /// The agent's effect journal and model prices, when it declares ``Agent/usesEffects``.
    package var effects: EffectServices?
    /// The types the agent declares it publishes (``Agent/produces``), which are all it may
    /// publish or schedule; nil when it declares none (it may publish any catalog type).
    package var declaredOutputs: Set<String>?

    package init(
        timersTopic: String? = nil, state: StateStore? = nil, directory: CapabilityDirectory? = nil,
        effects: EffectServices? = nil, declaredOutputs: Set<String>? = nil
    ) {
        self.effects = effects
        self.declaredOutputs = declaredOutputs
        self.timersTopic = timersTopic
        self.state = state
        self.directory = directory
    }
}
