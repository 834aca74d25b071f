/// The transient failure ``FraudCheckFaults`` injects: an error the runtime retries, as it would
/// a fraud vendor's timeout.
struct SimulatedOutage: Error, CustomStringConvertible {
    let attempt: Int
    let failures: Int
    var description: String { "simulated fraud-service outage (attempt \(attempt); the first \(failures) fail)" }
}
