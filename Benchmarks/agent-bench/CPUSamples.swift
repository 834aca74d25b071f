/// CPU seconds of the side under test and of the broker, sampled over time (CLOCK_REALTIME ns),
/// so the CPU of a window known only afterwards (from output timestamps) can be interpolated.
struct CPUSamples {
    struct Sample {
        let nanoseconds: UInt64
        let hop: Double
        let broker: Double
    }

    private(set) var samples: [Sample] = []

    mutating func record(hop: HopProcess, broker: DevBroker) {
        samples.append(Sample(nanoseconds: realtimeNanoseconds(), hop: hop.cpuSeconds(), broker: broker.cpuSeconds()))
    }

    /// CPU seconds (hop, broker) used between `from` and `until`, interpolated linearly between
    /// the samples around each end.
    func used(from: UInt64, until: UInt64) -> (hop: Double, broker: Double) {
        let start = at(from)
        let end = at(until)
        return (end.hop - start.hop, end.broker - start.broker)
    }

    private func at(_ time: UInt64) -> (hop: Double, broker: Double) {
        guard let first = samples.first, let last = samples.last else { return (0, 0) }
        if time <= first.nanoseconds { return (first.hop, first.broker) }
        if time >= last.nanoseconds { return (last.hop, last.broker) }
        let after = samples.firstIndex { $0.nanoseconds >= time }!
        let a = samples[after - 1]
        let b = samples[after]
        let fraction = Double(time - a.nanoseconds) / Double(max(1, b.nanoseconds - a.nanoseconds))
        return (a.hop + (b.hop - a.hop) * fraction, a.broker + (b.broker - a.broker) * fraction)
    }
}
