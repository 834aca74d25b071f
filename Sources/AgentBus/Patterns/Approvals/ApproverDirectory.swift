import Foundation
import JSONSchema

/// Who may decide approval requests, and up to what amount: the operator's configuration, read
/// from a JSON file, never from what an approver types.
///
/// ```json
/// {"roles": [{"name": "underwriter", "limit": 150000},
///            {"name": "senior-underwriter", "limit": 500000},
///            {"name": "credit-committee"}],
///  "approvers": [{"name": "priya", "id": "EMP-30417", "displayName": "Priya Raman",
///                 "role": "senior-underwriter"}]}
/// ```
///
/// Roles are listed from lowest to highest authority; a role without `limit` has no limit, so
/// only the last may omit it, and limits must grow. A role's authority includes every role below
/// it. Unknown keys are refused rather than ignored: a misspelt `limit` would otherwise make a
/// role unlimited.
public struct ApproverDirectory: Sendable, Equatable {
    /// From lowest to highest authority.
    public let roles: [Role]
    public let people: [Person]
    /// The file the directory was read from, for messages.
    public let file: String

    /// Checks the rules above; `file` only names the source in errors.
    public init(roles: [Role], people: [Person], file: String = "approvers") throws(ApproverDirectoryError) {
        func fail(_ problem: String) -> ApproverDirectoryError { ApproverDirectoryError(file: file, problem: problem) }
        guard !roles.isEmpty else { throw fail("no roles: list them under \"roles\", lowest authority first") }
        var seenRoles: Set<String> = []
        for (index, role) in roles.enumerated() {
            guard !role.name.isEmpty else { throw fail("roles[\(index)]: the name is empty") }
            guard seenRoles.insert(role.name).inserted else { throw fail("roles[\(index)]: \(role.name) is listed twice") }
            if let limit = role.limit, limit < 0 { throw fail("roles[\(index)] \(role.name): the limit is negative") }
            guard index > 0 else { continue }
            let previous = roles[index - 1]
            guard let below = previous.limit else {
                throw fail("roles[\(index - 1)] \(previous.name) has no limit, so it must be the last role")
            }
            if let limit = role.limit, limit <= below {
                throw fail("roles[\(index)] \(role.name): the limit \(limit) is not above \(previous.name)'s \(below); list roles lowest first")
            }
        }
        var seenPeople: Set<String> = []
        var seenIDs: Set<String> = []
        for (index, person) in people.enumerated() {
            guard !person.name.isEmpty else { throw fail("approvers[\(index)]: the name is empty") }
            guard !person.id.isEmpty else { throw fail("approvers[\(index)] \(person.name): the id is empty") }
            guard seenPeople.insert(person.name).inserted else { throw fail("approvers[\(index)]: \(person.name) is listed twice") }
            guard seenIDs.insert(person.id).inserted else { throw fail("approvers[\(index)] \(person.name): the id \(person.id) is someone else's too") }
            guard seenRoles.contains(person.role) else {
                throw fail("approvers[\(index)] \(person.name): no role named \(person.role) (roles: \(roles.map(\.name).joined(separator: ", ")))")
            }
        }
        self.roles = roles
        self.people = people
        self.file = file
    }

    // MARK: Finding the file

    /// The environment variable naming the approvers file when `--approvers` is not given.
    public static let environmentVariable = "AGENTBUS_APPROVERS"

    /// The file to read: `flag` (`--approvers`), then `$AGENTBUS_APPROVERS`, then `approvers.json`
    /// in the working directory.
    public static func path(flag: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let flag, !flag.isEmpty { return flag }
        if let path = environment[environmentVariable], !path.isEmpty { return path }
        return "approvers.json"
    }

    /// Reads and checks the file at `path`.
    public static func load(path: String) throws(ApproverDirectoryError) -> ApproverDirectory {
        guard let data = FileManager.default.contents(atPath: path) else {
            let exists = FileManager.default.fileExists(atPath: path)
            throw ApproverDirectoryError(
                file: path,
                problem: exists ? "cannot be read" : "no such file (give one with --approvers or $\(environmentVariable))")
        }
        return try ApproverDirectory(parsing: [UInt8](data), file: path)
    }

    /// Parses the JSON form shown above.
    public init(parsing bytes: [UInt8], file: String) throws(ApproverDirectoryError) {
        func fail(_ problem: String) -> ApproverDirectoryError { ApproverDirectoryError(file: file, problem: problem) }
        let document: JSONValue
        do { document = try JSONValue(parsing: bytes) } catch { throw fail(error.description) }
        guard let top = document.objectValue else { throw fail("expected an object with \"roles\" and \"approvers\"") }
        try Self.refuseUnknownKeys(top, allowed: ["roles", "approvers"], at: "the top level", file: file)
        guard let roleList = top["roles"]?.arrayValue else { throw fail("\"roles\" is missing or not an array") }
        var roles: [Role] = []
        for (index, value) in roleList.enumerated() {
            let place = "roles[\(index)]"
            guard let object = value.objectValue else { throw fail("\(place): expected an object with \"name\" and \"limit\"") }
            try Self.refuseUnknownKeys(object, allowed: ["name", "limit"], at: place, file: file)
            guard let name = object["name"]?.stringValue else { throw fail("\(place): \"name\" is missing or not a string") }
            var limit: Decimal?
            if let value = object["limit"], value != .null {
                guard let number = value.numberValue, let decimal = Decimal(string: number.text, locale: Locale(identifier: "en_US_POSIX")) else {
                    throw fail("\(place) \(name): \"limit\" is not a number")
                }
                limit = decimal
            }
            roles.append(Role(name: name, limit: limit))
        }
        if let approvers = top["approvers"], approvers.arrayValue == nil { throw fail("\"approvers\" is not an array") }
        var people: [Person] = []
        for (index, value) in (top["approvers"]?.arrayValue ?? []).enumerated() {
            let place = "approvers[\(index)]"
            guard let object = value.objectValue else { throw fail("\(place): expected an object with \"name\", \"id\" and \"role\"") }
            try Self.refuseUnknownKeys(object, allowed: ["name", "id", "displayName", "role"], at: place, file: file)
            func text(_ key: String) throws(ApproverDirectoryError) -> String {
                guard let text = object[key]?.stringValue else { throw fail("\(place): \"\(key)\" is missing or not a string") }
                return text
            }
            let name = try text("name")
            people.append(Person(
                name: name, id: try text("id"), displayName: object["displayName"]?.stringValue ?? name, role: try text("role")))
        }
        try self.init(roles: roles, people: people, file: file)
    }

    private static func refuseUnknownKeys(
        _ object: JSONObject, allowed: Set<String>, at place: String, file: String
    ) throws(ApproverDirectoryError) {
        if let unknown = object.keys.first(where: { !allowed.contains($0) }) {
            throw ApproverDirectoryError(
                file: file,
                problem: "\(place): unknown key \"\(unknown.oneLine)\" (expected \(allowed.sorted().joined(separator: ", ")))")
        }
    }

    // MARK: Authority

    public func role(named name: String) -> Role? { roles.first { $0.name == name } }

    public func person(named name: String) -> Person? { people.first { $0.name == name } }

    /// The person a decision names by ID (its `approver.id`), to check the decision again.
    public func person(withID id: String) -> Person? { people.first { $0.id == id } }

    /// The position of the role from the lowest (0); nil for a role the directory does not define.
    public func rank(of roleName: String) -> Int? { roles.firstIndex { $0.name == roleName } }

    /// The lowest role whose authority covers `amount`; nil when no role's does.
    public func lowestRole(covering amount: Decimal) -> Role? { roles.first { $0.covers(amount) } }

    /// The role one above `role`, where an undecided request escalates; nil for the highest role
    /// (or one the directory does not define).
    public func role(above roleName: String) -> Role? {
        guard let rank = rank(of: roleName), rank + 1 < roles.count else { return nil }
        return roles[rank + 1]
    }

    /// Whether `person`'s role covers `amount`, and is `role` or above when one is given.
    public func mayDecide(_ person: Person, amount: Decimal, atLeast roleName: String? = nil) -> Bool {
        guard let rank = rank(of: person.role), roles[rank].covers(amount) else { return false }
        guard let roleName else { return true }
        guard let needed = self.rank(of: roleName) else { return false }
        return rank >= needed
    }

    /// The role that must decide a request for `amount` whose publisher asked for `requestedRole`:
    /// the higher of that role and the lowest covering the amount, one higher again once the
    /// request has escalated.
    ///
    /// - Throws: when the requested role is not defined here, or no role covers the amount.
    public func roleNeeded(amount: Decimal, requestedRole: String?, escalated: Bool) throws(ApproverDirectoryError) -> Role {
        guard var needed = lowestRole(covering: amount) else {
            throw ApproverDirectoryError(file: file, problem: "no role's limit covers \(amount)")
        }
        if let requestedRole {
            guard let requested = role(named: requestedRole) else {
                throw ApproverDirectoryError(
                    file: file, problem: "no role named \(requestedRole.oneLine), which the request asks for (roles: \(roles.map(\.name).joined(separator: ", ")))")
            }
            if rank(of: requested.name)! > rank(of: needed.name)! { needed = requested }
        }
        if escalated, let above = role(above: needed.name) { needed = above }
        return needed
    }
}
