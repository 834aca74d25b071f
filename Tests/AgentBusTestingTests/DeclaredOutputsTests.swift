import AgentBus
import AgentBusTesting
import Testing

/// An agent that declares `produces` may publish only those types: its topics and ACLs come
/// from the list, so an undeclared output would be refused by an authorizing cluster.
@Suite("Declared outputs")
struct DeclaredOutputsTests {
    struct Publisher: Agent {
        let name = "declaring"
        var produces: [String]
        var publishes: String
        var policies: AgentPolicies { AgentPolicies(retry: .none) }
        var handlers: [EventHandler] {
            EventHandler(Work.self) { [publishes] work, context in
                if publishes == Left.eventType {
                    try context.publish(Left(id: work.id, seq: work.seq))
                } else {
                    try context.publish(Done(id: work.id, seq: work.seq, attempt: context.attempt))
                }
            }
        }
    }

    @Test("a declared type is published")
    func declared() async throws {
        let tester = try AgentTester(Publisher(produces: [Done.eventType], publishes: Done.eventType), schemas: Fixtures.registry)
        let result = try await tester.handle(Work(id: "w1", seq: 1, behavior: "ok"))
        #expect(result.outcome == .handled)
        #expect(try result.published(Done.self).count == 1)
    }

    @Test("an undeclared type is a permanent failure naming the type, and nothing is published")
    func undeclared() async throws {
        let tester = try AgentTester(Publisher(produces: [Done.eventType], publishes: Left.eventType), schemas: Fixtures.registry)
        let result = try await tester.handle(Work(id: "w1", seq: 1, behavior: "ok"))
        #expect(result.outcome == .deadLettered(.permanent))
        #expect(result.outputs.isEmpty)
        #expect(result.deadLetter?.reason
            == "output: agent declaring publishes \(Left.eventType), which is not among the types it produces: add it to `produces`")
    }

    @Test("an agent that declares nothing may publish any catalog type")
    func undeclaredList() async throws {
        let tester = try AgentTester(Publisher(produces: [], publishes: Left.eventType), schemas: Fixtures.registry)
        let result = try await tester.handle(Work(id: "w1", seq: 1, behavior: "ok"))
        #expect(result.outcome == .handled)
    }
}
