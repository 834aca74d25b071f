/// One line of a ``ModelCallTally``: a key (an agent, a model or a correlation ID) and its calls.
public struct ModelCallTallyRow: Sendable, Hashable {
    public var key: String
    public var usage: ModelCallTotals

    public init(key: String, usage: ModelCallTotals) {
        self.key = key
        self.usage = usage
    }
}
