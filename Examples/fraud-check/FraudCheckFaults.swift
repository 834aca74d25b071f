/// The fault switches of the fraud check, for demos and drills: some applicants screened slowly
/// (so a fan-in deadline passes without their fraud result), and some events failing their first
/// attempts (so retries show). Both are deterministic: the same applicant is always slow, the
/// same event always fails the same attempts.
struct FraudCheckFaults: Sendable {
    /// How long every screening takes.
    var latency: Duration = .zero
    /// Applicants (`CUS-...`) whose screening takes ``slowLatency`` instead.
    var slowApplicants: Set<String> = []
    var slowLatency: Duration = .seconds(20)
    /// The share of events, 0 to 1, that fail transiently: chosen by a stable hash of the event ID.
    var transientFailureRate: Double = 0
    /// How many attempts of a chosen event fail before one succeeds. With the default retry policy
    /// (3 attempts in place, then `fraud-check.retry.10s`), 2 shows in-place retries and 3 a pass
    /// through the retry topic.
    var transientFailures = 2
    /// The handler deadline; nil: past the slow latency (``slowLatency`` + 10 s, at least 30 s), so a
    /// slow screening is late rather than cancelled. Set below ``slowLatency``, slow screenings
    /// hang past it: each attempt is cancelled, and the event is retried, then dead-lettered.
    var handlerDeadline: Duration?

    /// The deadline the agent's policies give its handler.
    var effectiveHandlerDeadline: Duration { handlerDeadline ?? max(.seconds(30), slowLatency + .seconds(10)) }

    /// How long screening `applicantID` takes.
    func latency(for applicantID: String) -> Duration {
        slowApplicants.contains(applicantID) ? slowLatency : latency
    }

    /// Whether attempt `attempt` (1 for the first) of event `eventID` fails.
    func fails(eventID: String, attempt: Int) -> Bool {
        attempt <= transientFailures && chosen(eventID)
    }

    /// Whether `eventID` is among the ``transientFailureRate`` of events that fail.
    func chosen(_ eventID: String) -> Bool {
        guard transientFailureRate > 0 else { return false }
        // FNV-1a: stable across runs and machines, unlike Swift's seeded hashValue.
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in eventID.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return Double(hash % 10_000) < transientFailureRate * 10_000
    }
}
