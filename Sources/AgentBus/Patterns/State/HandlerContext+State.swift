import JSONSchema
import Kafka

extension HandlerContext {
    /// The agent's state for `key`, decoded as `Value`; nil when the key has none.
    ///
    /// Reads see this handling's own earlier ``setState(_:for:)`` and ``removeState(for:)``, and
    /// every change of earlier handlings this instance made or read back. State is kept per
    /// agent (not per instance) in the changelog topic `<agent>.state`, so it survives restarts
    /// and rebalances.
    ///
    /// - Throws: ``PublishError/notEnabled(_:)`` when the agent does not declare
    ///   ``Agent/usesState``; ``PublishError/encoding(_:)`` when the stored value does not decode.
    public func state<Value: Decodable>(_ type: Value.Type, for key: String) throws(PublishError) -> Value? {
        let store = try stateStore()
        let own: [UInt8]?? = withOutputs { $0.stateChanges[key] }
        let bytes: [UInt8]?
        if let own { bytes = own } else { bytes = store.value(for: key) }
        guard let bytes else { return nil }
        do {
            return try JSONPayload.decode(Value.self, from: bytes)
        } catch {
            throw .encoding(EventCodingError("state \"\(key)\" of \(agent) does not decode as \(Value.self): \(error)"))
        }
    }

    /// Sets the agent's state for `key`: written to `<agent>.state` when the handler returns
    /// (nothing is written if it throws), before its events are published.
    ///
    /// A handling's state changes are written first, with its timers, and acknowledged before
    /// its events are sent and before the next handling of the workflow starts. So an event
    /// published means its handling's state is there: if the instance dies first, the event is
    /// handled again, and a handler that recorded what it decided (as ``FanIn`` does) decides and
    /// publishes the same again.
    ///
    /// Each key is written and replicated on its own: a crash between two keys' writes can keep
    /// one and lose the other, and other events of the workflow may be handled in between. Keep
    /// what must change together under one key (``FanIn`` keeps a collection, and whatever the
    /// handler records in it, under one). Write handlers so that handling an event twice leaves
    /// the same state (set, not add).
    public func setState<Value: Encodable>(_ value: Value, for key: String) throws(PublishError) {
        let store = try stateStore()
        let bytes: [UInt8]
        do { bytes = try JSONPayload.encode(value) } catch {
            throw .encoding(EventCodingError("state \"\(key)\" of \(agent) does not encode: \(error)"))
        }
        record(change: bytes, for: key, in: store)
    }

    /// Deletes the agent's state for `key` (a tombstone on `<agent>.state`), written with the
    /// handling's other state changes when the handler returns (see ``setState(_:for:)``).
    public func removeState(for key: String) throws(PublishError) {
        record(change: nil, for: key, in: try stateStore())
    }

    private func record(change value: [UInt8]?, for key: String, in store: StateStore) {
        withOutputs { outputs in
            // Named afresh for each handling: reading back a write of an earlier handling of this
            // event (by an instance that died) must not clear this one's from the overlay.
            if outputs.stateWritesID == nil {
                outputs.stateWritesID = "\(event.id)/\(agent)/\(String(UInt64.random(in: 0 ... .max), radix: 16))"
            }
            let writeID = "\(outputs.stateWritesID ?? "")/\(outputs.writes.count)"
            outputs.stateChanges[key] = .some(value)
            outputs.writes.append(
                RuntimeWrite(
                    topic: store.topic, key: key, value: value,
                    headers: [KafkaHeader(name: StateHeader.writeID, value: writeID)],
                    stateChange: .init(writeID: writeID)))
        }
    }

    private func stateStore() throws(PublishError) -> StateStore {
        guard let store = services.state else {
            throw .notEnabled("agent \(agent) does not use state: declare `let usesState = true` in the agent")
        }
        return store
    }
}
