import JSONSchema

/// What models cost, per million tokens, so every call's cost is recorded and added to its
/// workflow's (``HandlerContext/workflowCost``, the `agentbus_cost` header, cost budgets).
///
/// Prices are the user's: providers change them, and self-hosted models cost what the user
/// decides. A model with no price costs 0. The file form (`--model-prices FILE`,
/// `AGENTBUS_MODEL_PRICES`) is one JSON object:
///
/// ```json
/// {"gpt-4o-mini": {"input": 0.15, "output": 0.60}, "smollm2-135m": {"input": 0.01, "output": 0.02}}
/// ```
public struct ModelPrices: Sendable, Hashable {
    /// The price of a million input and of a million output tokens.
    public struct Price: Sendable, Hashable, Codable {
        public var input: Double
        public var output: Double

        public init(input: Double, output: Double) {
            self.input = input
            self.output = output
        }
    }

    public var prices: [String: Price]

    public init(_ prices: [String: Price] = [:]) {
        self.prices = prices
    }

    /// Reads the JSON form above.
    ///
    /// - Throws: ``ModelPricesError`` naming what is wrong.
    public init(json bytes: [UInt8]) throws(ModelPricesError) {
        let decoded: [String: Price]
        do {
            decoded = try JSONPayload.decode([String: Price].self, from: bytes)
        } catch {
            throw ModelPricesError(
                "model prices: expected {\"MODEL\": {\"input\": PRICE, \"output\": PRICE}, ...} (per million tokens): \(error)")
        }
        for (model, price) in decoded where !(price.input >= 0 && price.output >= 0) || !price.input.isFinite || !price.output.isFinite {
            throw ModelPricesError("model prices: \(model) has a negative or non-finite price")
        }
        self.init(decoded)
    }

    /// The price of `model`: its own entry, else the longest entry it starts with
    /// (`gpt-4o-mini` prices `gpt-4o-mini-2024-07-18`).
    public func price(of model: String) -> Price? {
        if let price = prices[model] { return price }
        return prices.filter { model.hasPrefix($0.key) }.max { $0.key.count < $1.key.count }?.value
    }

    /// What `usage` of `model` costs; nil when the model has no price.
    public func cost(of usage: ModelUsage, model: String) -> Double? {
        guard let price = price(of: model) else { return nil }
        return (Double(usage.inputTokens) * price.input + Double(usage.outputTokens) * price.output) / 1_000_000
    }
}
