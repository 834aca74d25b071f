import Synchronization

/// Which agents offer which capability, and which of their instances are alive: folded from
/// `agentbus.registry` (what each agent offers) and `agentbus.heartbeats` (who is running).
///
/// An instance is alive while its latest heartbeat is `starting`, `running` or `stopping` and
/// younger than three of its intervals; one that said `stopped`, went quiet, or reports itself
/// `unhealthy` is skipped.
package final class CapabilityDirectory: Sendable {
    package struct Offer: Sendable, Hashable {
        package var agent: String
        package var consumes: [String]
        package var capabilities: [String]
    }

    private struct Instance {
        var status: Heartbeat.Status
        var time: Int64
        var intervalMs: Int64
    }

    private struct State {
        var offers: [String: Offer] = [:]
        /// By agent, then instance.
        var instances: [String: [String: Instance]] = [:]
    }

    private let state = Mutex(State())

    package init() {}

    package func apply(_ record: RegistryRecord) {
        state.withLock {
            $0.offers[record.agent] = Offer(agent: record.agent, consumes: record.consumes, capabilities: record.capabilities)
        }
    }

    package func apply(_ heartbeat: Heartbeat) {
        state.withLock { state in
            let known = state.instances[heartbeat.agent]?[heartbeat.instance]
            guard (known?.time ?? .min) <= heartbeat.time else { return }
            state.instances[heartbeat.agent, default: [:]][heartbeat.instance] = Instance(
                status: heartbeat.status, time: heartbeat.time, intervalMs: heartbeat.intervalMs)
        }
    }

    /// Agents offering `capability` (and consuming `eventType`, when given) with at least one
    /// live instance at `now` (milliseconds since 1970), by name.
    package func liveAgents(offering capability: String, consuming eventType: String? = nil, now: Int64) -> [String] {
        state.withLock { state in
            state.offers.values.filter { offer in
                offer.capabilities.contains(capability) && (eventType.map(offer.consumes.contains) ?? true)
                    && (state.instances[offer.agent] ?? [:]).values.contains { Self.isAlive($0, now: now) }
            }.map(\.agent).sorted()
        }
    }

    private static func isAlive(_ instance: Instance, now: Int64) -> Bool {
        switch instance.status {
        case .starting, .running, .stopping:
            return now - instance.time <= 3 * max(instance.intervalMs, 1)
        case .stopped, .unhealthy:
            return false
        }
    }
}
