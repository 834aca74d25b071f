import AgentBus
import AgentBusTesting
import Foundation
import Testing

/// The fan-in block through an agent on the in-process tester, with its state kept between
/// handlings as the runtime keeps it.
@Suite("Fan-in")
struct FanInTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/schemas").path

    struct Work: TypedEvent {
        static let eventType = "test.agentbus.work.v1"
        var id: String
        var seq: Int
        var behavior: String
    }

    struct Done: TypedEvent {
        static let eventType = "test.agentbus.done.v1"
        var id: String
        var seq: Int
        var attempt: Int
    }

    /// `open:a,b,c` opens a collection expecting branches a, b and c (and sets its deadline);
    /// `result:a` is branch a's result (its seq); `deadline` is the deadline firing. It publishes
    /// a Done whose id says how the collection ended and which results it has.
    struct Aggregator: Agent {
        let name = "aggregator"
        let usesState = true
        let usesTimers = true
        let fanIn: FanIn<Int>

        var handlers: [EventHandler] {
            EventHandler(Work.self) { [fanIn] work, context in
                let parts = work.id.split(separator: ":", maxSplits: 1).map(String.init)
                let decision: FanInDecision<Int>
                switch parts[0] {
                case "open":
                    decision = try fanIn.open(expecting: Set(parts[1].split(separator: ",").map(String.init)), in: context)
                    try context.schedule(Work(id: "deadline", seq: 0, behavior: "ok"), after: .seconds(5), name: fanIn.timerName)
                case "result":
                    decision = try fanIn.record(work.seq, from: parts[1], in: context)
                default:
                    decision = try fanIn.expire(in: context)
                }
                func describe(_ results: [String: Int]) -> String {
                    results.keys.sorted().map { "\($0)=\(results[$0]!)" }.joined(separator: ",")
                }
                switch decision {
                case .complete(let results):
                    try context.cancelTimer(named: fanIn.timerName)
                    try context.publish(Done(id: "complete " + describe(results), seq: 0, attempt: 1), name: "fan-in")
                case .partial(let results, let missing):
                    try context.publish(
                        Done(id: "partial \(describe(results)) missing \(missing.joined(separator: ","))", seq: 0, attempt: 1),
                        name: "fan-in")
                case .failed(let missing):
                    try context.publish(Done(id: "failed missing \(missing.joined(separator: ","))", seq: 0, attempt: 1), name: "fan-in")
                case .waiting, .duplicate, .alreadyEnded:
                    break
                }
            }
        }
    }

    func tester(_ policy: FanIn<Int>.DeadlinePolicy) throws -> AgentTester {
        try AgentTester(Aggregator(fanIn: FanIn(name: "checks", onDeadline: policy)), schemas: SchemaRegistry.load(directory: Self.fixtures))
    }

    func ids(_ result: HandlingResult) throws -> [String] { try result.published(Done.self).map(\.id) }

    @Test("completes when every expected branch reported, whatever the order; a duplicate counts once")
    func completes() async throws {
        let tester = try tester(.completePartial)
        let workflow = "wf-1"
        // A result before the fan-out event: kept, and counted once it is known.
        #expect(try ids(await tester.handle(Work(id: "result:b", seq: 2, behavior: "ok"), correlationID: workflow)).isEmpty)
        let opened = try await tester.handle(Work(id: "open:a,b,c", seq: 0, behavior: "ok"), correlationID: workflow)
        #expect(try ids(opened).isEmpty)
        #expect(opened.timers.first?.id == "\(workflow)/fan-in checks")
        #expect(try ids(await tester.handle(Work(id: "result:a", seq: 1, behavior: "ok"), correlationID: workflow)).isEmpty)
        // b again, with another value: a duplicate, not counted, not kept.
        #expect(try ids(await tester.handle(Work(id: "result:b", seq: 99, behavior: "ok"), correlationID: workflow)).isEmpty)
        let last = try await tester.handle(Work(id: "result:c", seq: 3, behavior: "ok"), correlationID: workflow)
        #expect(try ids(last) == ["complete a=1,b=2,c=3"])
        #expect(last.timers.map(\.due) == [nil], "the deadline timer is cancelled on completion")
        // After the end, late results and the deadline change nothing.
        #expect(try ids(await tester.handle(Work(id: "result:c", seq: 3, behavior: "ok"), correlationID: workflow)).isEmpty)
        #expect(try ids(await tester.handle(Work(id: "deadline", seq: 0, behavior: "ok"), correlationID: workflow)).isEmpty)
    }

    @Test("at the deadline: completes partially with what arrived, or fails, by policy")
    func deadline() async throws {
        for (policy, expected) in [
            (FanIn<Int>.DeadlinePolicy.completePartial, "partial a=1 missing b,c"), (.fail, "failed missing b,c"),
        ] {
            let tester = try tester(policy)
            let opened = try await tester.handle(Work(id: "open:a,b,c", seq: 0, behavior: "ok"), correlationID: "wf-2")
            _ = try await tester.handle(Work(id: "result:a", seq: 1, behavior: "ok"), correlationID: "wf-2")
            // The deadline event is the one the timer would publish.
            let fired = try #require(opened.timers.first?.event)
            #expect(try ids(await tester.handle(fired)) == [expected])
            // A branch arriving after the end is ignored.
            #expect(try ids(await tester.handle(Work(id: "result:b", seq: 2, behavior: "ok"), correlationID: "wf-2")).isEmpty)
        }
    }

    @Test("an ended collection is forgotten only after its retention")
    func forgetsAfterRetention() async throws {
        struct Forgetter: Agent {
            let name = "aggregator"
            let usesState = true
            let fanIn = FanIn<Int>(name: "checks", onDeadline: .fail, retention: .seconds(60))
            var handlers: [EventHandler] {
                EventHandler(Work.self) { [fanIn] work, context in
                    if work.id == "open" { _ = try fanIn.open(expecting: ["a"], in: context) }
                    if work.id == "a" { _ = try fanIn.record(1, from: "a", in: context) }
                    if work.id == "forget-now" { #expect(try !fanIn.forget(in: context)) }
                    if work.id == "forget-later" {
                        #expect(try fanIn.forget(in: context, now: EventTime.now().millisecondsSinceEpoch + 61_000))
                    }
                }
            }
        }
        let tester = try AgentTester(Forgetter(), schemas: SchemaRegistry.load(directory: Self.fixtures))
        for id in ["open", "a", "forget-now"] {
            #expect(try await tester.handle(Work(id: id, seq: 0, behavior: "ok"), correlationID: "wf-4").outcome == .handled)
        }
        #expect(try tester.state(FanInState<Int>.self, for: "fan-in/checks/wf-4")?.outcome == .complete)
        _ = try await tester.handle(Work(id: "forget-later", seq: 0, behavior: "ok"), correlationID: "wf-4")
        #expect(try tester.state(FanInState<Int>.self, for: "fan-in/checks/wf-4") == nil, "removed after its retention")
    }

    @Test("the handling that ended a collection, run again, publishes the same completion again")
    func rerunRepublishes() async throws {
        let tester = try tester(.completePartial)
        _ = try await tester.handle(Work(id: "open:a", seq: 0, behavior: "ok"), correlationID: "wf-3")
        let completing = try EventPublisher.prepare(
            type: Work.eventType, payload: Work(id: "result:a", seq: 7, behavior: "ok").jsonPayload(), key: nil,
            correlationID: "wf-3", registry: tester.registry, source: "/test"
        ).0
        let first = try await tester.handle(completing)
        // The runtime's dedupe drops a redelivery; a crash before the offset was stored reads it
        // again with the state already ended, which must republish (same ID) rather than go quiet.
        let again = try await tester.handle(completing.withNewSource())
        #expect(try ids(first) == ["complete a=7"])
        #expect(try ids(again) == ["complete a=7"])
    }
}

extension EventEnvelope {
    /// The same event from another source, so the tester's dedupe does not skip it: what a
    /// redelivery after a crash looks like to a fresh instance, whose dedupe window is empty.
    fileprivate func withNewSource() -> EventEnvelope {
        var copy = self
        copy.source = "/test-again"
        return copy
    }
}
