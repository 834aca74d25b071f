import Synchronization

/// Guards calls to one downstream dependency (a model provider, a bureau API): after
/// `failureThreshold` failures within `window` it opens, and calls fail at once with
/// ``CircuitOpenError`` (a transient failure, so the event is retried later) instead of waiting
/// on a dependency that is down. After `openFor` it lets one probe call through (half-open): a
/// success closes it, a failure opens it again.
///
/// Create one per dependency per instance, keep it in the agent, and list it in
/// ``Agent/circuitBreakers`` so heartbeats (`circuits`) and the `agentbus_circuit_state` gauge
/// show it:
///
/// ```swift
/// let bureauCircuit = CircuitBreaker(name: "credit-bureau", failureThreshold: 5, window: .seconds(30))
/// let report = try await bureauCircuit.run { try await bureau.report(for: applicant) }
/// ```
public final class CircuitBreaker: Sendable {
    public enum State: String, Sendable, Hashable {
        case closed
        case open
        case halfOpen = "half-open"
    }

    public let name: String
    public let failureThreshold: Int
    public let window: Duration
    public let openFor: Duration
    private let now: @Sendable () -> ContinuousClock.Instant

    private struct Machine {
        var state: State = .closed
        /// Failures within the window, oldest first (closed only).
        var failures: [ContinuousClock.Instant] = []
        var openedAt: ContinuousClock.Instant?
        /// A half-open probe is running: others fail fast meanwhile.
        var probing = false
    }

    private let machine = Mutex(Machine())

    /// - Parameter now: the clock; tests pass a manual one.
    public init(
        name: String, failureThreshold: Int = 5, window: Duration = .seconds(30), openFor: Duration = .seconds(15),
        now: @escaping @Sendable () -> ContinuousClock.Instant = { .now }
    ) {
        self.name = name
        self.failureThreshold = max(1, failureThreshold)
        self.window = window
        self.openFor = openFor
        self.now = now
    }

    /// The state now (an open breaker whose `openFor` has passed reads as half-open).
    public var state: State {
        machine.withLock { machine in
            if machine.state == .open, let openedAt = machine.openedAt, now() - openedAt >= openFor { return .halfOpen }
            return machine.state
        }
    }

    /// Runs `body` unless the breaker is open; records how it ended.
    ///
    /// - Throws: ``CircuitOpenError`` while open (or while a half-open probe is running), else
    ///   whatever `body` throws. A `CancellationError` is not counted as the dependency's failure.
    public func run<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        let isProbe = try admit()
        do {
            let value = try await body()
            succeeded()
            return value
        } catch is CancellationError {
            if isProbe { machine.withLock { $0.probing = false } }
            throw CancellationError()
        } catch {
            failed()
            throw error
        }
    }

    /// Lets a call through, or throws; returns whether it is the half-open probe.
    private func admit() throws(CircuitOpenError) -> Bool {
        let now = now()
        return try machine.withLock { machine throws(CircuitOpenError) -> Bool in
            switch machine.state {
            case .closed:
                return false
            case .open:
                guard let openedAt = machine.openedAt, now - openedAt >= openFor else {
                    throw CircuitOpenError(dependency: name, retryAfter: (machine.openedAt ?? now) + openFor - now)
                }
                machine.state = .halfOpen
                machine.probing = true
                return true
            case .halfOpen:
                guard !machine.probing else { throw CircuitOpenError(dependency: name, retryAfter: .zero) }
                machine.probing = true
                return true
            }
        }
    }

    private func succeeded() {
        machine.withLock { machine in
            if machine.state == .halfOpen {
                machine = Machine()
            }
        }
    }

    private func failed() {
        let now = now()
        machine.withLock { machine in
            switch machine.state {
            case .halfOpen:
                machine.state = .open
                machine.openedAt = now
                machine.probing = false
            case .closed:
                machine.failures.removeAll { now - $0 > window }
                machine.failures.append(now)
                if machine.failures.count >= failureThreshold {
                    machine.state = .open
                    machine.openedAt = now
                    machine.failures.removeAll()
                }
            case .open:
                break
            }
        }
    }
}

/// A call refused because its dependency's circuit breaker is open: transient, so the event is
/// retried per the agent's retry policy.
public struct CircuitOpenError: Error, CustomStringConvertible {
    public let dependency: String
    /// How long until the breaker lets a probe through (zero: a probe is running).
    public let retryAfter: Duration
    public var description: String {
        "circuit \"\(dependency)\" is open; failing fast (next probe in \(max(retryAfter, .zero).wholeMilliseconds) ms)"
    }
}
