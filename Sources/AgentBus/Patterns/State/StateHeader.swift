/// Header names of the records on `<agent>.state`.
package enum StateHeader {
    /// Names the write (`<event ID>/<agent>/<n>`), so the instance that wrote it knows when it
    /// has read it back.
    package static let writeID = "agentbus_state_write"
}
