/// What one run of agent-bench measures (`--only`): every part by default.
enum Part: String, CaseIterable {
    /// One agent hop against the raw librdkafka relay: throughput, latency, memory, the goals.
    case hop
    /// The effect journal's cost: the same hop with 0, 1 and 2 journaled effects per event.
    case journal
    /// A model-backed hop: one `context.chat` per event against a stub with a fixed latency.
    case model
    /// The example loan system end to end against a chain of raw relays: workflow latency at
    /// fixed offered rates.
    case e2e
}
