/// Why an event could not be handled, which decides what happens to it (docs/architecture.md,
/// "Guarantees, as built").
public enum FailureClass: String, Sendable, Hashable, CaseIterable, Codable {
    /// The handler threw a retryable error or ran past its deadline: retried in place with
    /// backoff, then through `<agent>.retry.<delay>`, then dead-lettered.
    case transient
    /// The handler threw a ``NonRetryableError``: retrying cannot help, so it is dead-lettered
    /// at once.
    case permanent
    /// The record is not a usable event (undecodable bytes, missing or malformed `ce_` headers,
    /// a type with no schema in the agent's catalog): dead-lettered at once.
    case poison
    /// The payload fails its type's schema, or does not decode into the handler's Swift type:
    /// dead-lettered at once.
    case schema
    /// The event is past the workflow's budget (the hop limit, a loop guard): dead-lettered at once.
    case budget
}
