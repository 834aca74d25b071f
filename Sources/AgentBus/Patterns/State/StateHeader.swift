/// Header names of the records on `<agent>.state`.
package enum StateHeader {
    /// Names the write (`<set>/<n>`, the set being `<event ID>/<agent>/<nonce>`, one per handling),
    /// so the instance that wrote it knows when it has read it back, and a replica knows which
    /// handling's changes it belongs to.
    package static let writeID = "agentbus_state_write"
    /// The keys a handling changed, as a JSON array, on each of its records when there are
    /// several: a replica applies them together (see ``StateChangeSet``).
    package static let setKeys = "agentbus_state_set_keys"
}
