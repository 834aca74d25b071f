import AgentBus

/// Model calls as the replay views and `agentbus costs` print them, one way everywhere.
///
/// Costs are in the unit of the agents' price tables (``ModelPrices``, usually US dollars),
/// shown with a `$` and four decimals: a cheap model's call costs hundredths of a cent, and
/// anything finer is noise next to the prices' own precision.
public enum ModelCallText {
    /// `$0.0021`; `<$0.0001` for a cost that is more than nothing but rounds to it.
    public static func cost(_ value: Double) -> String {
        guard value.isFinite else { return "$?" }
        let sign = value < 0 ? "-" : ""
        let tenThousandths = (value.magnitude * 10_000).rounded()
        if tenThousandths == 0 && value != 0 { return sign + "<$0.0001" }
        guard tenThousandths < 1e15 else { return sign + "$\(value.magnitude)" }
        let units = Int64(tenThousandths)
        let fraction = String(units % 10_000)
        return sign + "$\(units / 10_000)." + String(repeating: "0", count: 4 - fraction.count) + fraction
    }

    /// What one handling used: `2 model calls (1 replayed), 312→88 tokens, $0.0021` (input
    /// tokens, then output tokens).
    public static func summary(_ usage: ModelCallTotals) -> String {
        var text = ReplayText.count(usage.calls, "model call", "model calls")
        if usage.replayed > 0 { text += " (\(usage.replayed) replayed)" }
        return text + ", \(usage.inputTokens)→\(usage.outputTokens) tokens, " + cost(usage.cost)
    }

    /// A workflow's total under ``ModelCallTally``'s counting rule:
    /// `model calls: 3 · tokens: 624 in, 176 out · cost: $0.0042 · 1 answer replayed from the journal`.
    public static func total(_ usage: ModelCallTotals) -> String {
        var text = "model calls: \(usage.calls) · tokens: \(usage.inputTokens) in, \(usage.outputTokens) out"
            + " · cost: " + cost(usage.cost)
        if usage.replayed > 0 {
            text += " · " + ReplayText.count(usage.replayed, "answer", "answers") + " replayed from the journal"
        }
        return text
    }
}
