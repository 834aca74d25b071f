/// Header names of the records on `<agent>.state`.
package enum StateHeader {
    /// Names the write (`<event ID>/<agent>/<nonce>/<n>`, the nonce new for each handling), so
    /// the instance that wrote it knows when it has read it back, and not mistake for it a write
    /// of an earlier handling of the same event.
    package static let writeID = "agentbus_state_write"
}
