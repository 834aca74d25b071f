/// Header names of the records on `<agent>.timers`, besides the scheduled event's envelope.
package enum TimerHeader {
    /// When the timer fires, in milliseconds since 1970 (decimal).
    package static let due = "agentbus_timer_due"
    /// The topic the event goes to when the timer fires.
    package static let topic = "agentbus_timer_topic"
    /// The Kafka key the event gets when it fires.
    package static let key = "agentbus_timer_key"

    package static let all: Set<String> = [due, topic, key]
}
