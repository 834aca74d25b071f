/// An agent: a name, the event types it handles (each with a typed handler), and its policies.
///
/// ```swift
/// struct CreditCheck: Agent {
///     let name = "credit-check"
///     let bureau: CreditBureau
///
///     var handlers: [EventHandler] {
///         EventHandler(ApplicationReceived.self) { [bureau] application, context in
///             let report = try await bureau.report(for: application.applicantId)
///             try context.publish(CreditChecked(application, report))
///         }
///     }
/// }
/// ```
///
/// An executable runs it through an ``AgentCommand``, whose `makeAgent(services:)` builds it.
///
/// Each running copy of the executable is one instance; instances of one agent share its
/// consumer group (the agent's name), so running more of them spreads the partitions.
public protocol Agent: Sendable {
    /// The agent's name: its consumer group, its `ce_source` (`/agents/<name>`), and the prefix
    /// of its retry and dead-letter topics. Lowercase letters, digits and `-`.
    var name: String { get }
    /// Written to the registry and heartbeats. Default: `"0.0.0"`.
    var version: String { get }
    /// How the runtime delivers events to the handlers. Default: ``AgentPolicies/init()``.
    var policies: AgentPolicies { get }
    /// Event types this agent publishes, for the registry (discovery). Default: none declared.
    var produces: [String] { get }
    /// Free-form capability names, for the registry. Default: none.
    var capabilities: [String] { get }
    /// Whether handlers set durable timers (``HandlerContext/schedule(_:at:name:key:)``): the
    /// instance then also reads `<agent>.timers` and fires what is due. Default: false.
    var usesTimers: Bool { get }
    /// Whether handlers keep state (``HandlerContext/state(_:for:)``): the instance then keeps a
    /// replica of `<agent>.state`. Default: false.
    var usesState: Bool { get }
    /// Whether handlers run effects (``HandlerContext/effect(_:journal:_:)``, model calls with
    /// ``HandlerContext/chat(_:using:name:journal:)``): the instance then keeps a replica of
    /// `<agent>.journal`, records every effect's result there, and records every event it
    /// handled there too, so duplicates are recognised across restarts and rebalances, not only
    /// within the in-memory dedupe window. Default: false.
    var usesEffects: Bool { get }
    /// The circuit breakers its handlers call dependencies through, so heartbeats and metrics
    /// show their state. Default: none.
    var circuitBreakers: [CircuitBreaker] { get }
    /// One handler per event type.
    @EventHandlerBuilder var handlers: [EventHandler] { get }
}

extension Agent {
    public var version: String { "0.0.0" }
    public var policies: AgentPolicies { AgentPolicies() }
    public var produces: [String] { [] }
    public var capabilities: [String] { [] }
    public var usesTimers: Bool { false }
    public var usesState: Bool { false }
    public var usesEffects: Bool { false }
    public var circuitBreakers: [CircuitBreaker] { [] }
}
