/// A timer's ID, its key on `<agent>.timers`: the workflow's correlation ID and the timer's name,
/// so a later handling of the same workflow can cancel or replace it by name.
package enum TimerID {
    package static func make(correlationID: String, name: String) -> String { "\(correlationID)/\(name)" }
}
