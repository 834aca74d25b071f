import AgentBus

/// Work for the test agent; `behavior` says how its handler should act, so each test can
/// provoke one kind of failure.
struct Work: TypedEvent {
    static let eventType = "test.agentbus.work.v1"
    var id: String
    var seq: Int
    var behavior: String
    var untilAttempt: Int?
    var file: String?
    var sleepMs: Int?
}

struct Done: TypedEvent {
    static let eventType = "test.agentbus.done.v1"
    var id: String
    var seq: Int
    var attempt: Int
    /// The model's answer, from the `effects` role when it calls a model.
    var answer: String? = nil
}

struct Ping: TypedEvent {
    static let eventType = "test.agentbus.ping.v1"
    var n: Int
}

struct Pong: TypedEvent {
    static let eventType = "test.agentbus.pong.v1"
    var n: Int
}

/// The two branches the `fanout` role publishes for each `Work`: different types, so each goes
/// to an agent of its own.
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
