import Foundation

extension HandlerContext {
    /// Publishes `payload` for whichever live agent offers `capability`: peer handoff. Fails
    /// (transiently, so the handling is retried per the agent's retry policy) while no agent
    /// that offers the capability and handles `Event` has a live instance.
    ///
    /// Discovery reads `agentbus.registry` (what each agent offers, from its `capabilities`) and
    /// `agentbus.heartbeats` (which instances are alive, not stopped, silent or unhealthy).
    /// The event itself goes to its type's topic as any output does; the group of each agent
    /// that handles that type receives it.
    @discardableResult
    public func handOff<Event: TypedEvent>(
        _ payload: Event, toCapability capability: String, key: String? = nil, name: String? = nil
    ) throws -> EventEnvelope {
        guard let directory = services.directory else {
            throw PublishError.notEnabled("capability discovery is not available in this context")
        }
        let agents = directory.liveAgents(
            offering: capability, consuming: Event.eventType, now: EventTime.now().millisecondsSinceEpoch)
        guard !agents.isEmpty else {
            throw CapabilityUnavailableError(capability: capability, eventType: Event.eventType)
        }
        return try publish(payload, key: key, name: name)
    }

    /// Requests a service by capability, with a deadline: hands `payload` off as
    /// ``handOff(_:toCapability:key:name:)`` does, and sets a durable timer that publishes
    /// `timeout` after `deadline` unless the requester cancels it first, when the answer
    /// arrives, with `cancelTimer(named: "handoff \(name)")`.
    ///
    /// The agent must declare ``Agent/usesTimers``. `name` identifies the request within its
    /// workflow (the output's name and the timer's).
    @discardableResult
    public func handOff<Event: TypedEvent, Timeout: TypedEvent>(
        _ payload: Event, toCapability capability: String, within deadline: Duration, orElse timeout: Timeout,
        name: String, key: String? = nil
    ) throws -> EventEnvelope {
        let request = try handOff(payload, toCapability: capability, key: key, name: name)
        try schedule(timeout, after: deadline, name: Self.handOffTimerName(name))
        return request
    }

    /// The name of the deadline timer of the handoff named `name`.
    public static func handOffTimerName(_ name: String) -> String { "handoff \(name)" }

    /// The live agents that offer `capability` (and handle `eventType`, when given), by name.
    public func agents(offering capability: String, handling eventType: String? = nil) -> [String] {
        services.directory?.liveAgents(
            offering: capability, consuming: eventType, now: EventTime.now().millisecondsSinceEpoch) ?? []
    }
}

/// No live agent offers the capability a handler handed work to; a transient failure, since one
/// may start or recover.
public struct CapabilityUnavailableError: Error, CustomStringConvertible {
    public let capability: String
    public let eventType: String
    public var description: String {
        "no live agent offers \"\(capability)\" and handles \(eventType)"
    }
}
