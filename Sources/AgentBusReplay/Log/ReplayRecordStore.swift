#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import AgentBus
import Kafka

/// Where the whole records of a replay log are, to read one back when a command needs more than
/// the index keeps (its payload and every header, for `--save` and `redrive`).
///
/// Records read from Kafka stay in memory (the embedded cluster keeps at most a few MiB per
/// partition). Records of a saved log stay on disk: the log keeps only where each line starts,
/// and reads a line again when asked, so a file of gigabytes is never held whole.
enum ReplayRecordStore: Sendable {
    case memory([KafkaRecord])
    /// `lineStarts[n]` is the byte offset of line `n` (line 0 is the metadata line); a line ends
    /// where the next starts, or at `fileSize`. `recordLines[r]` is the line of record `r`.
    case file(path: String, fileSize: Int64, lineStarts: [Int64], recordLines: [Int32])

    /// Record `number` of the log, whole.
    func record(_ number: Int32) throws(ReplayLogError) -> KafkaRecord {
        switch self {
        case .memory(let records):
            return records[Int(number)]
        case .file(let path, let fileSize, let lineStarts, let recordLines):
            let line = Int(recordLines[Int(number)])
            let start = lineStarts[line]
            let end = line + 1 < lineStarts.count ? lineStarts[line + 1] : fileSize
            let descriptor = open(path, O_RDONLY)
            guard descriptor >= 0 else {
                throw ReplayLogError("cannot open \(path) again: \(String(cString: strerror(errno)))")
            }
            defer { close(descriptor) }
            var bytes = [UInt8](repeating: 0, count: Int(end - start))
            let read = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, off_t(start)) }
            guard read == bytes.count else { throw ReplayLogError("\(path) changed while it was being replayed") }
            while let last = bytes.last, last == 0x0A || last == 0x0D { bytes.removeLast() }
            var reader = ReplayLogFormat.LineReader()
            defer { reader.deallocate() }
            return try bytes.withUnsafeBufferPointer { line throws(ReplayLogError) in try reader.record(line) }
        }
    }
}
