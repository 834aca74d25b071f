import AgentBus
import AgentBusReplay
import ArgumentParser
import JSONSchema

extension AgentsCommand {
    /// `agents --capabilities`: reads the registry and the heartbeats whole, and the activity
    /// records of the window, then prints a ``CapabilityReport``.
    func showCapabilities() async throws {
        let reader = try connection.snapshotReader(logger: ConnectionOptions.quietLogger("agentbus.agents"))
        let now = EventTime.now().millisecondsSinceEpoch
        let windowMilliseconds = ReplayDurationText.milliseconds(window) ?? 3_600_000
        let known: TopicSnapshot
        let recent: TopicSnapshot
        do {
            known = try await reader.read([AgentTopics.registry, AgentTopics.heartbeats])
            recent = try await reader.read(
                [AgentTopics.activity], bounds: TopicSnapshotBounds(start: .time(now - windowMilliseconds)))
        } catch {
            Output.error("agentbus agents: \(error.message)")
            throw ExitCode.failure
        }
        let registry = known[AgentTopics.registry].compactMap { try? RegistryRecord(json: $0.value) }
        let heartbeats = known[AgentTopics.heartbeats].compactMap { try? Heartbeat(json: $0.value) }
        let activity = recent[AgentTopics.activity].compactMap { try? ActivityRecord(json: $0.value) }
        let report = CapabilityReport(registry: registry, heartbeats: heartbeats, activity: activity, now: now)

        if json {
            for capability in report.capabilities { Output.line(Self.json(capability, window: windowMilliseconds)) }
            return
        }
        guard !report.capabilities.isEmpty else {
            let missing = known.exists(AgentTopics.registry) ? "" : " (\(AgentTopics.registry) does not exist yet)"
            Output.line("no agents in \(AgentTopics.registry)" + missing)
            return
        }
        var rows = [["CAPABILITY", "AGENT", "VERSION", "LIVE", "OK", "FAILED", "SUCCESS"]]
        for capability in report.capabilities {
            for offer in capability.offers {
                rows.append([
                    capability.name, offer.agent, offer.version, String(offer.liveInstances), String(offer.ok),
                    String(offer.failed), offer.successRate.map(Self.percent) ?? "-",
                ])
            }
        }
        Self.printTable(rows, numeric: [3, 4, 5, 6])
        Output.line("OK and FAILED (dead-lettered or rejected): handlings in the last \(window) of \(AgentTopics.activity)")
    }

    /// `97.5%`: one decimal, rounded down so that 99.96% never shows as 100%.
    static func percent(_ rate: Double) -> String {
        let tenths = Int((rate * 1000).rounded(.down))
        return "\(tenths / 10).\(tenths % 10)%"
    }

    static func json(_ capability: CapabilityReport.Capability, window: Int64) -> String {
        func number(_ value: Int) -> JSONValue { .number(JSONNumber(value)) }
        let offers = capability.offers.map { offer in
            JSONValue.object(JSONObject([
                "agent": .string(offer.agent), "version": .string(offer.version),
                "liveInstances": number(offer.liveInstances), "ok": number(offer.ok), "failed": number(offer.failed),
                "successRate": offer.successRate.map { .number(JSONNumber($0)) } ?? .null,
            ]))
        }
        return JSONValue.object(JSONObject([
            "capability": capability.name == CapabilityReport.noCapability ? .null : .string(capability.name),
            "windowMs": .number(JSONNumber(Int(window))), "agents": .array(offers),
        ])).jsonText
    }
}
