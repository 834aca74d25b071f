import AgentBus

/// Model calls added up: how many, the tokens they used, what they cost, and how many answers a
/// handling got from its effect journal instead of calling the model.
public struct ModelCallTotals: Sendable, Hashable {
    /// Calls counted. For one handling, every call it lists; in a ``ModelCallTally``, each call
    /// once (see there).
    public var calls: Int
    public var inputTokens: Int
    public var outputTokens: Int
    /// In the unit of the agents' price tables (``ModelPrices``); 0 for models without a price.
    public var cost: Double
    /// Listings of a call whose answer came from the journal (``ModelCallRecord/replayed``): a
    /// retry or redelivery that did not call, and did not pay, again.
    public var replayed: Int

    public init(calls: Int = 0, inputTokens: Int = 0, outputTokens: Int = 0, cost: Double = 0, replayed: Int = 0) {
        self.calls = calls
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.cost = cost
        self.replayed = replayed
    }

    /// Every call of `calls` counted, none skipped: what one handling used.
    public init(_ calls: some Sequence<ModelCallRecord>) {
        self.init()
        for call in calls { add(call) }
    }

    /// True when nothing was called or replayed.
    public var isEmpty: Bool { calls == 0 && replayed == 0 }

    /// Counts `call`: its tokens and cost, and whether it was replayed.
    public mutating func add(_ call: ModelCallRecord) {
        calls += 1
        inputTokens += call.inputTokens
        outputTokens += call.outputTokens
        cost += call.cost
        if call.replayed { replayed += 1 }
    }

    public mutating func add(_ other: ModelCallTotals) {
        calls += other.calls
        inputTokens += other.inputTokens
        outputTokens += other.outputTokens
        cost += other.cost
        replayed += other.replayed
    }
}
