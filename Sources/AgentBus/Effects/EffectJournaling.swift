/// What ``HandlerContext/effect(_:journal:_:)`` records of an effect's result.
public enum EffectJournaling<Result: Sendable>: Sendable {
    /// The whole result: the effect runs at most once per event (see the effect's guarantee).
    case full
    /// What `redact` makes of the result, for results that carry personal data or secrets: the
    /// effect still runs at most once, but a handling that finds it in the journal (a retry, a
    /// redelivery, a rerun) gets the redacted result back, not the original.
    case redacted(@Sendable (Result) -> Result)
    /// Nothing: the effect runs again on every attempt and redelivery (at least once).
    case off
}
