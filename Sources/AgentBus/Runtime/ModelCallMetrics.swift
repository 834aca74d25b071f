import Metrics
import Synchronization

/// The model calls handlers make through ``HandlerContext/chat(_:using:name:journal:)``, per
/// requested model: `agentbus_model_calls_total{agent, model}`,
/// `agentbus_model_tokens_total{agent, model, type="input"|"output"}` and
/// `agentbus_model_cost_total{agent, model}` (in the currency of the agent's ``ModelPrices``).
///
/// Only calls actually made count: an answer replayed from the effect journal was paid for by an
/// earlier attempt (counted by whichever process made it). A model's counters are made at its
/// first call; a call (milliseconds to seconds of network) costs a dictionary lookup under a lock.
package final class ModelCallMetrics: Sendable {
    private struct Counters {
        let calls: Counter
        let inputTokens: Counter
        let outputTokens: Counter
        let cost: FloatingPointCounter
    }

    private let agent: String
    private let counters = Mutex<[String: Counters]>([:])

    package init(agent: String) { self.agent = agent }

    package func record(_ call: ModelCallRecord) {
        guard !call.replayed else { return }
        let model = call.requestModel
        let counters = counters.withLock { counters in
            if let existing = counters[model] { return existing }
            let dimensions = [("agent", agent), ("model", model)]
            let made = Counters(
                calls: Counter(label: "agentbus_model_calls_total", dimensions: dimensions),
                inputTokens: Counter(label: "agentbus_model_tokens_total", dimensions: dimensions + [("type", "input")]),
                outputTokens: Counter(label: "agentbus_model_tokens_total", dimensions: dimensions + [("type", "output")]),
                cost: FloatingPointCounter(label: "agentbus_model_cost_total", dimensions: dimensions))
            counters[model] = made
            return made
        }
        counters.calls.increment()
        counters.inputTokens.increment(by: max(call.inputTokens, 0))
        counters.outputTokens.increment(by: max(call.outputTokens, 0))
        if call.cost > 0 { counters.cost.increment(by: call.cost) }
    }
}
