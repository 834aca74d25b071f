/// Header names of the records on `<agent>.state`.
package enum StateHeader {
    /// Names the write (`<set>/<n>`, the set being `<event ID>/<agent>/<nonce>`, one per handling),
    /// so the instance that wrote it knows when it has read it back, and a replica knows which
    /// handling's changes it belongs to.
    package static let writeID = "agentbus_state_write"
    /// How many state changes the handling that wrote this one made: a replica applies them
    /// together, once it has read them all (see ``StateChangeSet``).
    package static let setSize = "agentbus_state_set_size"
}
