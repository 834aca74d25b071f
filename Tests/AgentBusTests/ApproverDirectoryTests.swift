import AgentBus
import Foundation
import Testing

@Suite("Approver directory")
struct ApproverDirectoryTests {
    static let example = """
        {"roles": [{"name": "underwriter", "limit": 150000}, {"name": "senior-underwriter", "limit": 500000},
                   {"name": "credit-committee"}],
         "approvers": [{"name": "priya", "id": "EMP-30417", "displayName": "Priya Raman", "role": "senior-underwriter"},
                       {"name": "tom", "id": "EMP-20001", "role": "underwriter"}]}
        """

    static func parse(_ text: String) throws(ApproverDirectoryError) -> ApproverDirectory {
        try ApproverDirectory(parsing: Array(text.utf8), file: "approvers.json")
    }

    /// The one-line error for `text`, or nil if it parses.
    static func problem(_ text: String) -> String? {
        do {
            _ = try parse(text)
            return nil
        } catch {
            return error.description
        }
    }

    @Test("the file format: roles lowest first with limits, approvers with their roles")
    func parses() throws {
        let directory = try Self.parse(Self.example)
        #expect(directory.roles == [
            .init(name: "underwriter", limit: 150_000), .init(name: "senior-underwriter", limit: 500_000),
            .init(name: "credit-committee", limit: nil),
        ])
        #expect(directory.person(named: "priya") == .init(name: "priya", id: "EMP-30417", displayName: "Priya Raman", role: "senior-underwriter"))
        #expect(directory.person(named: "tom")?.displayName == "tom", "the display name defaults to the name")
        #expect(directory.person(named: "Priya Raman") == nil, "--by takes the name, not the display name")
        #expect(directory.person(withID: "EMP-30417")?.name == "priya")
    }

    @Test("the example approvers file in Examples/ loads")
    func exampleFile() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Examples/approvers.json").path
        let directory = try ApproverDirectory.load(path: path)
        #expect(directory.roles.map(\.name) == ["underwriter", "senior-underwriter", "credit-committee"])
        #expect(!directory.people.isEmpty)
    }

    @Test("lowest covering role, escalation order, who may decide")
    func authority() throws {
        let directory = try Self.parse(Self.example)
        #expect(directory.lowestRole(covering: 100_000)?.name == "underwriter")
        #expect(directory.lowestRole(covering: 150_000)?.name == "underwriter", "the limit is inclusive")
        #expect(directory.lowestRole(covering: Decimal(string: "150000.01")!)?.name == "senior-underwriter")
        #expect(directory.lowestRole(covering: 9_000_000)?.name == "credit-committee")
        #expect(directory.role(above: "underwriter")?.name == "senior-underwriter")
        #expect(directory.role(above: "senior-underwriter")?.name == "credit-committee")
        #expect(directory.role(above: "credit-committee") == nil)
        #expect(directory.role(above: "intern") == nil)

        let priya = try #require(directory.person(named: "priya"))
        let tom = try #require(directory.person(named: "tom"))
        #expect(directory.mayDecide(priya, amount: 250_000))
        #expect(!directory.mayDecide(priya, amount: 500_001))
        #expect(!directory.mayDecide(tom, amount: 250_000))
        #expect(directory.mayDecide(tom, amount: 1_000))
        #expect(!directory.mayDecide(tom, amount: 1_000, atLeast: "senior-underwriter"), "the requested role binds too")
        #expect(directory.mayDecide(priya, amount: 1_000, atLeast: "underwriter"))
    }

    @Test("the role needed: the higher of the requested and the covering role, one up once escalated")
    func roleNeeded() throws {
        let directory = try Self.parse(Self.example)
        #expect(try directory.roleNeeded(amount: 250_000, requestedRole: nil, escalated: false).name == "senior-underwriter")
        #expect(try directory.roleNeeded(amount: 1_000, requestedRole: "senior-underwriter", escalated: false).name == "senior-underwriter")
        #expect(try directory.roleNeeded(amount: 250_000, requestedRole: "underwriter", escalated: false).name == "senior-underwriter")
        #expect(try directory.roleNeeded(amount: 250_000, requestedRole: nil, escalated: true).name == "credit-committee")
        #expect(try directory.roleNeeded(amount: 900_000, requestedRole: nil, escalated: true).name == "credit-committee", "the top stays")
        #expect(throws: ApproverDirectoryError.self) { try directory.roleNeeded(amount: 1, requestedRole: "intern", escalated: false) }
        let capped = try Self.parse(#"{"roles": [{"name": "clerk", "limit": 100}]}"#)
        #expect(throws: ApproverDirectoryError.self) { try capped.roleNeeded(amount: 101, requestedRole: nil, escalated: false) }
    }

    @Test("each mistake is one line naming the file and what is wrong", arguments: [
        ("[]", "approvers.json: expected an object with \"roles\" and \"approvers\""),
        ("{\"roles\": [", "approvers.json: invalid JSON at byte 11: "),
        (#"{"approvers": []}"#, #"approvers.json: "roles" is missing or not an array"#),
        (#"{"roles": []}"#, "approvers.json: no roles: list them under \"roles\", lowest authority first"),
        (#"{"roles": [{"name": "a", "limt": 5}]}"#, #"approvers.json: roles[0]: unknown key "limt" (expected limit, name)"#),
        (#"{"roles": [{"name": "a", "limit": "5"}]}"#, #"approvers.json: roles[0] a: "limit" is not a number"#),
        (#"{"roles": [{"name": "a"}, {"name": "b", "limit": 5}]}"#, "approvers.json: roles[0] a has no limit, so it must be the last role"),
        (#"{"roles": [{"name": "a", "limit": 10}, {"name": "b", "limit": 5}]}"#,
         "approvers.json: roles[1] b: the limit 5 is not above a's 10; list roles lowest first"),
        (#"{"roles": [{"name": "a", "limit": 1}, {"name": "a"}]}"#, "approvers.json: roles[1]: a is listed twice"),
        (#"{"roles": [{"name": "a"}], "approvers": [{"name": "x", "id": "1", "role": "boss"}]}"#,
         "approvers.json: approvers[0] x: no role named boss (roles: a)"),
        (#"{"roles": [{"name": "a"}], "approvers": [{"name": "x", "role": "a"}]}"#,
         #"approvers.json: approvers[0]: "id" is missing or not a string"#),
        (#"{"roles": [{"name": "a"}], "approvers": [{"name": "x", "id": "1", "role": "a"}, {"name": "x", "id": "2", "role": "a"}]}"#,
         "approvers.json: approvers[1]: x is listed twice"),
        (#"{"roles": [{"name": "a"}], "approvers": [{"name": "x", "id": "1", "role": "a"}, {"name": "y", "id": "1", "role": "a"}]}"#,
         "approvers.json: approvers[1] y: the id 1 is someone else's too"),
        (#"{"roles": [{"name": "a"}], "approvers": [{"name": "x", "id": "1", "role": "a", "limit": 9}]}"#,
         #"approvers.json: approvers[0]: unknown key "limit" (expected displayName, id, name, role)"#),
    ])
    func errors(text: String, expected: String) {
        let problem = Self.problem(text)
        #expect(problem?.hasPrefix(expected) == true, "got \(problem ?? "no error")")
        #expect(problem?.contains("\n") == false)
    }

    @Test("a missing file names itself and where the path comes from")
    func missingFile() {
        #expect(throws: ApproverDirectoryError(
            file: "/nonexistent/approvers.json", problem: "no such file (give one with --approvers or $AGENTBUS_APPROVERS)")
        ) { try ApproverDirectory.load(path: "/nonexistent/approvers.json") }
    }

    @Test("the path: --approvers, then $AGENTBUS_APPROVERS, then ./approvers.json")
    func path() {
        #expect(ApproverDirectory.path(flag: "a.json", environment: ["AGENTBUS_APPROVERS": "b.json"]) == "a.json")
        #expect(ApproverDirectory.path(flag: nil, environment: ["AGENTBUS_APPROVERS": "b.json"]) == "b.json")
        #expect(ApproverDirectory.path(flag: nil, environment: [:]) == "approvers.json")
    }
}
