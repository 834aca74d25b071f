#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The file a benchmark's `--results FILE` names: each figure is appended to it as one line of
/// JSON, so the benchmarks `make bench` runs one after another fill one file between them.
public struct BenchmarkResultsFile: Sendable {
    public let path: String

    public init(path: String) {
        self.path = path
    }

    /// Appends `figures`, one line each; a file that cannot be written is an error, since the
    /// table would otherwise lack the figures without saying so.
    public func append(_ figures: [BenchmarkFigure]) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        guard descriptor >= 0 else { throw BenchmarkResultsError(path: path, errorNumber: errno) }
        defer { close(descriptor) }
        var text = figures.map { $0.jsonLine + "\n" }.joined()
        let written = text.withUTF8 { write(descriptor, $0.baseAddress, $0.count) }
        guard written == text.utf8.count else { throw BenchmarkResultsError(path: path, errorNumber: errno) }
    }
}
