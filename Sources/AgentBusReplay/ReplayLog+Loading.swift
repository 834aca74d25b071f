#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import AgentBus
import Foundation
import Kafka

extension ReplayLog {
    /// Reads a log saved with `--save`, streaming it: the file is read in 8 MiB blocks and only
    /// the index is kept, so a log far larger than memory still loads. One thread reads and
    /// parses lines while the calling thread indexes them.
    ///
    /// A line that is not a record (damaged, cut short, from another tool) is reported among
    /// ``inputFindings`` and skipped; only a missing file, or a first line that is not a replay
    /// log's, is an error.
    ///
    /// - Parameter progress: called after each block with bytes read so far and the file's size.
    public static func load(
        path: String, progress: (@Sendable (_ bytesRead: Int64, _ totalBytes: Int64) -> Void)? = nil
    ) throws(ReplayLogError) -> ReplayLog {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else {
            throw ReplayLogError("cannot read \(path): \(String(cString: strerror(errno)))")
        }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            close(descriptor)
            throw ReplayLogError("cannot read \(path): \(String(cString: strerror(errno)))")
        }
        guard status.st_mode & S_IFMT != S_IFDIR else {
            close(descriptor)
            throw ReplayLogError("cannot read \(path): it is a directory")
        }
        let parser = ReplayLogFileParser(path: path, descriptor: descriptor, fileSize: Int64(status.st_size), progress: progress)
        let batches = ReplayLineBatches()
        let thread = Thread {
            parser.run(into: batches)
            batches.finish()
        }
        thread.stackSize = 1 << 20
        thread.start()

        var index = ReplayIndex()
        var recordLines: [Int32] = []
        while let batch = batches.take() {
            var problems = batch.problems[...]
            for (record, line) in zip(batch.records, batch.lines) {
                while let problem = problems.first, problem.line < line {
                    index.noteProblem("\(path):\(problem.line + 1)", "saved record: \(problem.message)")
                    problems = problems.dropFirst()
                }
                index.add(record, number: Int32(recordLines.count))
                recordLines.append(line)
            }
            for problem in problems { index.noteProblem("\(path):\(problem.line + 1)", "saved record: \(problem.message)") }
        }
        let outcome = parser.outcome
        close(descriptor)
        switch outcome {
        case .failure(let error):
            throw error
        case .success(let (metadata, lineStarts)):
            return ReplayLog(
                index: index,
                store: .file(path: path, fileSize: Int64(status.st_size), lineStarts: lineStarts, recordLines: recordLines),
                metadata: metadata)
        }
    }
}

/// Reads a saved log's lines and parses them into records on a thread of its own.
private final class ReplayLogFileParser: @unchecked Sendable {
    let path: String
    let descriptor: Int32
    let fileSize: Int64
    let progress: (@Sendable (Int64, Int64) -> Void)?
    /// Set by ``run(into:)`` before it returns; read after the batches ran out.
    private(set) var outcome: Result<(ReplayLogMetadata, [Int64]), ReplayLogError> =
        .failure(ReplayLogError("not read"))

    init(path: String, descriptor: Int32, fileSize: Int64, progress: (@Sendable (Int64, Int64) -> Void)?) {
        self.path = path
        self.descriptor = descriptor
        self.fileSize = fileSize
        self.progress = progress
    }

    func run(into batches: ReplayLineBatches) {
        var metadata: ReplayLogMetadata?
        var lineStarts: [Int64] = []
        var reader = ReplayLogFormat.LineReader()
        defer { reader.deallocate() }
        var batch = ReplayLineBatches.Batch()
        var failure: ReplayLogError?

        /// Handles one line; `complete` is false for a last line with no newline.
        func handle(_ line: UnsafeBufferPointer<UInt8>, start: Int64, complete: Bool) {
            var line = line
            if let last = line.last, last == 0x0D { line = UnsafeBufferPointer(rebasing: line.dropLast()) }
            let lineNumber = Int32(lineStarts.count)
            lineStarts.append(start)
            guard metadata != nil else {
                do { metadata = try ReplayLogFormat.parseHeader(line) } catch { failure = error }
                return
            }
            if line.isEmpty { return }
            do {
                batch.records.append(try reader.record(line))
                batch.lines.append(lineNumber)
            } catch {
                batch.problems.append(
                    (lineNumber, complete ? error.message : "the file ends in the middle of this line (\(error.message))"))
            }
            if batch.records.count >= ReplayLineBatches.batchSize {
                batches.put(batch)
                batch = ReplayLineBatches.Batch()
            }
        }

        var buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 8 << 20, alignment: 16)
        defer { buffer.deallocate() }
        var filled = 0
        var bufferStart: Int64 = 0
        while failure == nil {
            if filled == buffer.count {
                // One line longer than the buffer: make room for it.
                let larger = UnsafeMutableRawBufferPointer.allocate(byteCount: buffer.count * 2, alignment: 16)
                larger.copyMemory(from: UnsafeRawBufferPointer(buffer))
                buffer.deallocate()
                buffer = larger
            }
            let count = read(descriptor, buffer.baseAddress! + filled, buffer.count - filled)
            if count < 0 {
                if errno == EINTR { continue }
                failure = ReplayLogError("cannot read \(path): \(String(cString: strerror(errno)))")
                break
            }
            if count == 0 {
                if filled > 0 {
                    let bytes = UnsafeBufferPointer(start: buffer.baseAddress!.assumingMemoryBound(to: UInt8.self), count: filled)
                    handle(bytes, start: bufferStart, complete: false)
                }
                break
            }
            filled += count
            let base = buffer.baseAddress!.assumingMemoryBound(to: UInt8.self)
            var lineStart = 0
            while lineStart < filled, failure == nil {
                guard let newline = memchr(base + lineStart, 0x0A, filled - lineStart) else { break }
                let end = base.distance(to: newline.assumingMemoryBound(to: UInt8.self))
                handle(
                    UnsafeBufferPointer(start: base + lineStart, count: end - lineStart),
                    start: bufferStart + Int64(lineStart), complete: true)
                lineStart = end + 1
            }
            if metadata == nil, filled - lineStart >= 1 << 20 {
                failure = ReplayLogError("its first line is over 1 MiB long: not an AgentBus replay log")
                break
            }
            // Keep the unfinished line for the next block.
            if lineStart > 0 {
                buffer.baseAddress!.copyMemory(from: buffer.baseAddress! + lineStart, byteCount: filled - lineStart)
                filled -= lineStart
                bufferStart += Int64(lineStart)
            }
            progress?(bufferStart + Int64(filled), fileSize)
        }
        if !batch.records.isEmpty || !batch.problems.isEmpty { batches.put(batch) }
        if let failure {
            outcome = .failure(ReplayLogError("\(path): \(failure.message)"))
        } else if let metadata {
            outcome = .success((metadata, lineStarts))
        } else {
            outcome = .failure(ReplayLogError("\(path) is empty: not an AgentBus replay log"))
        }
    }
}
