import AgentBusReplay
import Synchronization

/// How far a long replay read has got, on stderr: rewritten in place on a terminal (after a
/// quarter of a second, so quick reads show nothing), and otherwise a line every few seconds once
/// the read has taken more than 2 s, so a log of a slow CI job shows it is not stuck. stdout
/// carries only the view, so piping it somewhere is never disturbed.
final class ReplayProgressDisplay: Sendable {
    private struct State {
        var lastShown: ContinuousClock.Instant?
        var showing = false
    }

    private let command: String
    private let terminal: Bool
    private let start = ContinuousClock.now
    private let state = Mutex(State())

    init(command: String, terminal: Bool = Output.standardErrorIsTerminal) {
        self.command = command
        self.terminal = terminal
    }

    /// For ``TopicSnapshotReader/Progress``.
    func records(read: Int, partitionsLeft: Int) {
        show("read \(read) records, \(partitionsLeft) partition(s) to go")
    }

    /// For loading a saved log.
    func bytes(read: Int64, total: Int64) {
        let percent = total > 0 ? read * 100 / total : 100
        show("loaded \(percent)% (\(read / 1_048_576) of \(max(1, total / 1_048_576)) MiB)")
    }

    /// Clears a progress line left on the terminal, before the result is printed.
    func finish() {
        state.withLock { state in
            if terminal && state.showing { Output.errorFragment("\r\u{1B}[K") }
            state.showing = false
        }
    }

    private func show(_ text: String) {
        let now = ContinuousClock.now
        let elapsed = now - start
        state.withLock { state in
            if terminal {
                guard elapsed >= .milliseconds(250) else { return }
                if let last = state.lastShown, now - last < .milliseconds(100) { return }
                Output.errorFragment("\r\u{1B}[K\(command): \(text)")
                state.showing = true
            } else {
                guard elapsed >= .seconds(2) else { return }
                if let last = state.lastShown, now - last < .seconds(5) { return }
                Output.error("\(command): \(text)")
            }
            state.lastShown = now
        }
    }
}
