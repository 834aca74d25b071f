import AgentBus

/// `agentbus agents --capabilities`: per capability (from the agents' registry records), the
/// agents that offer it, how many of their instances are live, and how their handlings ended.
struct CapabilityReport: Sendable, Equatable {
    /// One agent under one capability.
    struct Offer: Sendable, Equatable {
        var agent: String
        var version: String
        var liveInstances: Int
        /// Handlings that ended `ok`, and those that ended `dead-lettered` or `rejected`
        /// (retries and duplicates are neither: the event is not done with yet, or was before).
        var ok: Int
        var failed: Int

        /// `ok` out of the handlings that ended; nil when none did.
        var successRate: Double? { ok + failed == 0 ? nil : Double(ok) / Double(ok + failed) }
    }

    /// A capability and its offers, by agent name.
    struct Capability: Sendable, Equatable {
        var name: String
        var offers: [Offer]
    }

    /// Named capabilities alphabetically, then agents that declare none, under ``noCapability``.
    var capabilities: [Capability]

    static let noCapability = "-"

    /// - Parameters:
    ///   - registry: `agentbus.registry` records; each agent's latest counts.
    ///   - heartbeats: `agentbus.heartbeats`; each instance's latest counts.
    ///   - activity: the `agentbus.activity` records of the window.
    init(registry: [RegistryRecord], heartbeats: [Heartbeat], activity: [ActivityRecord], now: Int64) {
        var agents: [String: RegistryRecord] = [:]
        for record in registry where (agents[record.agent]?.time ?? .min) <= record.time { agents[record.agent] = record }
        var instances: [String: Heartbeat] = [:]
        for heartbeat in heartbeats where (instances[heartbeat.key]?.time ?? .min) <= heartbeat.time {
            instances[heartbeat.key] = heartbeat
        }
        var live: [String: Int] = [:]
        for heartbeat in instances.values where heartbeat.isLive(at: now) { live[heartbeat.agent, default: 0] += 1 }
        var outcomes: [String: (ok: Int, failed: Int)] = [:]
        for record in activity {
            switch record.outcome {
            case .ok: outcomes[record.agent, default: (0, 0)].ok += 1
            case .deadLettered, .rejected: outcomes[record.agent, default: (0, 0)].failed += 1
            case .retried, .duplicate, .cancelled: break
            }
        }
        var byCapability: [String: [Offer]] = [:]
        for record in agents.values.sorted(by: { $0.agent < $1.agent }) {
            let offer = Offer(
                agent: record.agent, version: record.version, liveInstances: live[record.agent] ?? 0,
                ok: outcomes[record.agent]?.ok ?? 0, failed: outcomes[record.agent]?.failed ?? 0)
            let names = Set(record.capabilities)
            for name in names.isEmpty ? [Self.noCapability] : names.sorted() { byCapability[name, default: []].append(offer) }
        }
        capabilities = byCapability.keys.sorted { ($0 == Self.noCapability ? 1 : 0, $0) < ($1 == Self.noCapability ? 1 : 0, $1) }
            .map { Capability(name: $0, offers: byCapability[$0]!) }
    }
}
