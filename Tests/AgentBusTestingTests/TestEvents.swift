import AgentBus
import Foundation
import Synchronization

/// The schema catalog of the tests' events (Tests/Fixtures/schemas).
enum Fixtures {
    static let schemas = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/schemas").path
    static let registry: SchemaRegistry = try! SchemaRegistry.load(directory: schemas)
}

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

struct Left: TypedEvent {
    static let eventType = "test.agentbus.left.v1"
    var id: String
    var seq: Int
}

struct Right: TypedEvent {
    static let eventType = "test.agentbus.right.v1"
    var id: String
    var seq: Int
}

struct Ping: TypedEvent {
    static let eventType = "test.agentbus.ping.v1"
    var n: Int
}

/// A Swift type for `test.agentbus.work.v1` that wants a field the schema does not require: a
/// valid payload it cannot decode.
struct WorkWithTicket: TypedEvent {
    static let eventType = "test.agentbus.work.v1"
    var id: String
    var ticket: String
}

/// Counts calls across a handler's attempts.
final class Counter: Sendable {
    private let value = Mutex(0)
    func next() -> Int { value.withLock { $0 += 1; return $0 } }
    var count: Int { value.withLock { $0 } }
}

/// Values handlers or tasks saw, for the test to check afterwards.
final class Recorder<Value: Sendable>: Sendable {
    private let values = Mutex<[Value]>([])
    func append(_ value: Value) { values.withLock { $0.append(value) } }
    var all: [Value] { values.withLock { $0 } }
}
