import Foundation
import Testing

/// Where the official JSON-Schema-Test-Suite is, for the tests that run its cases.
///
/// Looked for, in order:
/// 1. `$JSON_SCHEMA_TEST_SUITE`, when set: that directory and no other (set but missing means
///    the suite tests are skipped, saying so);
/// 2. `../shared/testdata/JSON-Schema-Test-Suite` beside the checkout;
/// 3. `.build-testdata/JSON-Schema-Test-Suite` in the checkout, the pinned copy that
///    `scripts/setup.sh` fetches where the network allows.
///
/// A directory counts when it holds `tests/draft2020-12`. When none does, the suite tests are
/// skipped with ``unavailableReason`` (`.enabled(if: JSONSchemaTestSuiteLocation.isAvailable, ...)`)
/// instead of failing.
enum JSONSchemaTestSuiteLocation {
    static let variable = "JSON_SCHEMA_TEST_SUITE"

    /// The suite's root (it holds `tests/` and `remotes/`), or nil.
    static var directory: URL? { found.directory }

    static var isAvailable: Bool { directory != nil }

    /// Why the suite tests are skipped, for the `.enabled(if:)` trait.
    static var unavailableReason: Comment { Comment(rawValue: found.reason) }

    private static let found = find()

    /// The repository root: this file is `Tests/JSONSchemaTests/<file>`.
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // JSONSchemaTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()

    private static func holdsSuite(_ url: URL) -> Bool {
        var isDirectory: ObjCBool = false
        let tests = url.appendingPathComponent("tests/draft2020-12").path
        return FileManager.default.fileExists(atPath: tests, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    private static func find() -> (directory: URL?, reason: String) {
        let hint = "set \(variable)=<path to a JSON-Schema-Test-Suite checkout> or run scripts/setup.sh"
        if let value = ProcessInfo.processInfo.environment[variable], !value.isEmpty {
            let url = URL(fileURLWithPath: value, relativeTo: repositoryRoot).standardizedFileURL
            if holdsSuite(url) { return (url, "") }
            return (nil, "JSON-Schema-Test-Suite not found: \(variable)=\(value) has no tests/draft2020-12; \(hint)")
        }
        let candidates = [
            repositoryRoot.appendingPathComponent("../shared/testdata/JSON-Schema-Test-Suite").standardizedFileURL,
            repositoryRoot.appendingPathComponent(".build-testdata/JSON-Schema-Test-Suite"),
        ]
        if let found = candidates.first(where: holdsSuite) { return (found, "") }
        return (nil, "JSON-Schema-Test-Suite not found: \(hint)")
    }
}
