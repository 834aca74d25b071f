#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import AgentBus
import Kafka

/// Writes a replay log file (see ``ReplayLogFormat``) record by record, buffered: what
/// `agentbus replay --save` uses, and what a tool archiving a run's records can use.
///
/// It writes to `<path>.partial` and renames it to `path` on ``finish()``, so a reader never
/// sees half a log under the final name.
public final class ReplayLogWriter {
    private let path: String
    private let temporaryPath: String
    private var file: UnsafeMutablePointer<FILE>?
    private var buffer: [UInt8] = []

    /// Creates the file and writes the metadata line.
    public init(path: String, metadata: ReplayLogMetadata) throws(ReplayLogError) {
        self.path = path
        temporaryPath = path + ".partial"
        guard let file = fopen(temporaryPath, "w") else {
            throw ReplayLogError("cannot write \(path): \(String(cString: strerror(errno)))")
        }
        self.file = file
        buffer.reserveCapacity(1 << 20)
        buffer = ReplayLogFormat.headerLine(metadata)
    }

    deinit {
        if let file {
            fclose(file)
            unlink(temporaryPath)
        }
    }

    /// Appends one record as one line.
    public func append(_ record: KafkaRecord) throws(ReplayLogError) {
        ReplayLogFormat.appendLine(for: record, to: &buffer)
        if buffer.count >= 1 << 20 { try flush() }
    }

    /// Writes what is buffered, closes the file and gives it its final name.
    public func finish() throws(ReplayLogError) {
        try flush()
        guard let file else { return }
        self.file = nil
        guard fclose(file) == 0, rename(temporaryPath, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporaryPath)
            throw ReplayLogError("cannot write \(path): \(reason)")
        }
    }

    private func flush() throws(ReplayLogError) {
        guard let file, !buffer.isEmpty else { return }
        let written = buffer.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
        let complete = written == buffer.count
        buffer.removeAll(keepingCapacity: true)
        guard complete else {
            throw ReplayLogError("cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }
}
