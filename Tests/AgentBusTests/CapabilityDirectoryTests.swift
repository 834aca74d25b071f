@testable import AgentBus
import Testing

/// Discovery by capability: who offers it, and which of them are alive.
@Suite("Capability directory")
struct CapabilityDirectoryTests {
    static let now: Int64 = 1_800_000_000_000

    func offer(_ agent: String, consumes: [String], capabilities: [String]) -> RegistryRecord {
        RegistryRecord(
            agent: agent, version: "1.0.0", consumes: consumes, produces: [], capabilities: capabilities, topics: [],
            instance: "\(agent)-1", time: Self.now)
    }

    func heartbeat(_ agent: String, _ instance: String, _ status: Heartbeat.Status, agoMs: Int64) -> Heartbeat {
        Heartbeat(
            agent: agent, instance: instance, version: "1.0.0", host: "h", pid: 1, status: status, startedAt: 0,
            time: Self.now - agoMs, intervalMs: 1_000, handled: 0, failed: 0, retried: 0, deadLettered: 0, duplicates: 0,
            lag: 0, inFlight: 0, partitions: [])
    }

    @Test("only agents offering the capability and handling the type, with a live instance, are found")
    func liveOnly() {
        let directory = CapabilityDirectory()
        directory.apply(offer("fraud-a", consumes: ["check.v1"], capabilities: ["fraud-screening"]))
        directory.apply(offer("fraud-b", consumes: ["check.v1"], capabilities: ["fraud-screening"]))
        directory.apply(offer("fraud-c", consumes: ["other.v1"], capabilities: ["fraud-screening"]))
        directory.apply(offer("fraud-d", consumes: ["check.v1"], capabilities: ["fraud-screening"]))
        directory.apply(offer("credit", consumes: ["check.v1"], capabilities: ["credit-report"]))
        directory.apply(heartbeat("fraud-a", "a1", .running, agoMs: 500))
        directory.apply(heartbeat("fraud-b", "b1", .running, agoMs: 10_000))  // silent: stale
        directory.apply(heartbeat("fraud-c", "c1", .running, agoMs: 500))  // does not handle the type
        directory.apply(heartbeat("fraud-d", "d1", .stopped, agoMs: 100))  // said it stopped
        directory.apply(heartbeat("credit", "x1", .running, agoMs: 100))
        #expect(directory.liveAgents(offering: "fraud-screening", consuming: "check.v1", now: Self.now) == ["fraud-a"])
        #expect(directory.liveAgents(offering: "fraud-screening", now: Self.now) == ["fraud-a", "fraud-c"])
        #expect(directory.liveAgents(offering: "ocr", now: Self.now).isEmpty)
    }

    @Test("an older heartbeat does not bring back an instance that stopped; an unhealthy one is skipped")
    func orderAndHealth() {
        let directory = CapabilityDirectory()
        directory.apply(offer("fraud", consumes: ["check.v1"], capabilities: ["fraud-screening"]))
        directory.apply(heartbeat("fraud", "f1", .stopped, agoMs: 100))
        directory.apply(heartbeat("fraud", "f1", .running, agoMs: 900))
        #expect(directory.liveAgents(offering: "fraud-screening", now: Self.now).isEmpty)
        directory.apply(heartbeat("fraud", "f2", .unhealthy, agoMs: 100))
        #expect(directory.liveAgents(offering: "fraud-screening", now: Self.now).isEmpty)
        directory.apply(heartbeat("fraud", "f3", .running, agoMs: 100))
        #expect(directory.liveAgents(offering: "fraud-screening", now: Self.now) == ["fraud"])
    }
}
