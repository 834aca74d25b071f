/// One model call listed in an `agentbus.activity` record (its `modelCalls`), as symbols and
/// numbers: what the replay views and the cost tally need, which is the whole
/// `ModelCallRecord`.
struct IndexedModelCall: Sendable {
    var effect: Int32
    var provider: Int32
    var requestModel: Int32
    var responseModel: Int32
    var inputTokens: Int
    var outputTokens: Int
    var latencyMilliseconds: Int64
    var cost: Double
    var journaled: Bool
    var replayed: Bool
}
