import JSONSchema

/// One model call of a handling, as its activity record and the effect journal keep it: which
/// model, the tokens it used, how long it took and what it cost (from the agent's
/// ``ModelPrices``), named as OpenTelemetry's GenAI conventions name them on the handler's span.
public struct ModelCallRecord: Sendable, Hashable {
    /// The effect's name within its handling (`chat-0`, or the name the handler gave).
    public var effect: String
    /// `gen_ai.provider.name`: `openai` for any OpenAI-compatible server.
    public var provider: String
    /// `gen_ai.request.model`.
    public var requestModel: String
    /// `gen_ai.response.model`: the model that answered, as the provider names it.
    public var responseModel: String
    /// `gen_ai.usage.input_tokens` and `gen_ai.usage.output_tokens`, from the provider's `usage`.
    public var inputTokens: Int
    public var outputTokens: Int
    /// From sending the request to reading the whole answer.
    public var latencyMilliseconds: Int64
    /// In the currency of the price table (per million tokens); 0 when the model has no price.
    public var cost: Double
    /// Whether the result is in the effect journal (false: the handler opted out, so a
    /// redelivery calls the model again).
    public var journaled: Bool
    /// Whether this handling got the answer from the journal, without calling the model: the
    /// call was made (and paid for) by an earlier attempt.
    public var replayed: Bool

    public init(
        effect: String, provider: String, requestModel: String, responseModel: String, inputTokens: Int,
        outputTokens: Int, latencyMilliseconds: Int64, cost: Double, journaled: Bool, replayed: Bool
    ) {
        self.effect = effect
        self.provider = provider
        self.requestModel = requestModel
        self.responseModel = responseModel
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.latencyMilliseconds = latencyMilliseconds
        self.cost = cost
        self.journaled = journaled
        self.replayed = replayed
    }

    /// The record as one compact JSON object.
    public var jsonBytes: [UInt8] {
        var writer = JSONBytesWriter(capacity: 256)
        writer.field("effect", effect)
        writer.field("provider", provider)
        writer.field("requestModel", requestModel)
        writer.field("responseModel", responseModel)
        writer.field("inputTokens", inputTokens)
        writer.field("outputTokens", outputTokens)
        writer.field("latencyMs", latencyMilliseconds)
        writer.field("cost", cost)
        writer.field("journaled", journaled)
        writer.field("replayed", replayed)
        return writer.finish()
    }

    /// Reads a record as ``jsonBytes`` writes it.
    public init(json bytes: some Collection<UInt8>) throws(RuntimeRecordError) {
        try self.init(fields: RuntimeRecordFields(bytes, kind: "model call"))
    }

    init(fields: RuntimeRecordFields) throws(RuntimeRecordError) {
        self.init(
            effect: try fields.string("effect"), provider: try fields.string("provider"),
            requestModel: try fields.string("requestModel"), responseModel: try fields.string("responseModel"),
            inputTokens: try fields.integer("inputTokens", as: Int.self),
            outputTokens: try fields.integer("outputTokens", as: Int.self),
            latencyMilliseconds: try fields.integer("latencyMs"), cost: try fields.number("cost"),
            journaled: try fields.flag("journaled"), replayed: try fields.flag("replayed"))
    }
}
