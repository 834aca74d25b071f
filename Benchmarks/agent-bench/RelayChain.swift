/// The end-to-end part's baseline: as many raw librdkafka relays (``RawRelay``) as the example
/// system's critical path has hops, chained through topics `bench.chain.0` → `bench.chain.1` →
/// ... → `bench.chain.<hops>`, each relay in a process of its own (`agent-bench serve raw`) with
/// a consumer group of its own, as each agent has.
final class RelayChain {
    let hops: Int
    private let relays: [HopProcess]

    static func topic(_ index: Int) -> String { "bench.chain.\(index)" }

    /// The chain's topics, for the dev-broker to create at start.
    static func topics(hops: Int, partitions: Int) -> [(String, Int)] {
        (0...hops).map { (topic($0), partitions) }
    }

    var inputTopic: String { Self.topic(0) }
    var outputTopic: String { Self.topic(hops) }

    /// Starts every relay; each prints `ready` once its clients exist (the groups form later).
    init(hops: Int, broker: DevBroker, fetchWaitMilliseconds: Int) throws {
        self.hops = hops
        var relays: [HopProcess] = []
        for hop in 0..<hops {
            var arguments = HopServer.Arguments(
                side: .raw, bootstrapServers: broker.bootstrapServers, input: Self.topic(hop), output: Self.topic(hop + 1))
            arguments.group = "raw-relay-\(hop + 1)"
            arguments.fetchWaitMilliseconds = fetchWaitMilliseconds
            relays.append(try HopProcess(arguments))
        }
        self.relays = relays
    }

    /// CPU seconds the relays' processes have used so far.
    func cpuSeconds() -> Double { relays.reduce(0) { $0 + $1.cpuSeconds() } }

    /// Stops every relay gracefully; throws if one had ended or did not stop cleanly.
    func stop() throws {
        var failure: Error?
        for relay in relays {
            do { try relay.stop() } catch { failure = failure ?? error }
        }
        if let failure { throw failure }
    }
}
