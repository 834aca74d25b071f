import Foundation
import Kafka

extension HandlerContext {
    /// Sets a durable timer: `payload` is published at `due` as a child of the handled event
    /// (same workflow, caused by it), by whichever instance of this agent then owns the timer.
    ///
    /// Like an output, the timer is set only if the handler returns, and a retried handling sets
    /// the same timer again (its event's ID is derived from the handled event and `name`). It
    /// survives restarts and rebalances: timers live in `<agent>.timers`, which each instance reads
    /// back when it is assigned its partitions. A timer fires once: a crash between firing and
    /// recording it fires it again with the same event ID, which consumers drop as a duplicate.
    ///
    /// - Parameters:
    ///   - name: identifies the timer within its workflow: setting a timer of the same name again
    ///     replaces it, ``cancelTimer(named:)`` cancels it.
    ///   - key: the Kafka key of the event when it fires; default as for ``publish(_:key:name:)``.
    /// - Throws: ``PublishError`` as ``publish(_:key:name:)``, and `.notEnabled` when the agent does
    ///   not declare ``Agent/usesTimers``.
    @discardableResult
    public func schedule<Event: TypedEvent>(
        _ payload: Event, at due: Date, name: String, key: String? = nil
    ) throws(PublishError) -> EventEnvelope {
        let data: [UInt8]
        do { data = try payload.jsonPayload() } catch { throw .encoding(error) }
        return try schedule(type: Event.eventType, payload: data, at: due, name: name, key: key)
    }

    /// Sets a durable timer that fires `delay` from now; see ``schedule(_:at:name:key:)``.
    @discardableResult
    public func schedule<Event: TypedEvent>(
        _ payload: Event, after delay: Duration, name: String, key: String? = nil
    ) throws(PublishError) -> EventEnvelope {
        try schedule(payload, at: Date(timeIntervalSinceNow: delay.seconds), name: name, key: key)
    }

    /// Sets a durable timer for a JSON payload of `type`; see ``schedule(_:at:name:key:)``.
    @discardableResult
    public func schedule(
        type: String, payload: [UInt8], at due: Date, name: String, key: String? = nil
    ) throws(PublishError) -> EventEnvelope {
        let topic = try timersTopic()
        let schema = try outputSchema(type)
        guard schema.validator.isValid(payload) else {
            throw .invalidPayload(type: type, violations: schema.validator.validate(payload))
        }
        var fired = event.child(
            type: type, data: payload, agent: agent, output: .name("timer \(name)"), dataSchema: schema.id)
        fired.key = key ?? EventPublisher.schemaKey(payload, schema) ?? fired.correlationID
        var headers = fired.kafkaHeaders
        headers.append(KafkaHeader(name: TimerHeader.due, value: String(Int64((due.timeIntervalSince1970 * 1000).rounded()))))
        headers.append(KafkaHeader(name: TimerHeader.topic, value: schema.topic))
        headers.append(KafkaHeader(name: TimerHeader.key, value: fired.key ?? fired.correlationID))
        let write = RuntimeWrite(
            topic: topic, key: TimerID.make(correlationID: event.correlationID, name: name), value: payload,
            headers: headers)
        withOutputs { $0.writes.append(write) }
        return fired
    }

    /// Cancels the timer `name` of this workflow, set by this agent, if it has not fired: sent
    /// with the outputs when the handler returns. Cancelling a timer that does not exist or has
    /// fired does nothing.
    public func cancelTimer(named name: String) throws(PublishError) {
        let topic = try timersTopic()
        let write = RuntimeWrite(
            topic: topic, key: TimerID.make(correlationID: event.correlationID, name: name), value: nil, headers: [])
        withOutputs { $0.writes.append(write) }
    }

    private func timersTopic() throws(PublishError) -> String {
        guard let topic = services.timersTopic else {
            throw .notEnabled("agent \(agent) does not use timers: declare `let usesTimers = true` in the agent")
        }
        return topic
    }
}

extension Duration {
    /// The duration in seconds, as a `Double`.
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
