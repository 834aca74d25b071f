import Kafka

/// A record a handling writes besides its events: a timer set or cancelled, a state change.
/// Sent with the outputs when the handler returns, and acknowledged before the input's offset
/// is stored, like them.
package struct RuntimeWrite: Sendable {
    package var topic: String
    package var key: String
    /// Nil for a tombstone: a cancelled timer, a deleted state key.
    package var value: [UInt8]?
    package var headers: [KafkaHeader]
    /// Set for a state change, so the instance's own store sees it before reading it back.
    package var stateChange: StateChange?

    package struct StateChange: Sendable {
        /// Names this write, so the store can tell when it has read it back from the changelog.
        package var writeID: String
    }
}
