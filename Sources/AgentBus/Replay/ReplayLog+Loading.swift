#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension ReplayLog {
    /// Reads a log saved with `--save`, streaming it: the file is read in 8 MiB blocks and only
    /// the index is kept, so a log far larger than memory still loads.
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
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw ReplayLogError("cannot read \(path): \(String(cString: strerror(errno)))")
        }
        let fileSize = Int64(status.st_size)

        var index = ReplayIndex()
        var metadata: ReplayLogMetadata?
        var lineStarts: [Int64] = []
        var recordLines: [Int32] = []
        var reader = ReplayLogFormat.LineReader()
        defer { reader.deallocate() }

        var failure: ReplayLogError?
        /// Handles one line; `complete` is false for a last line with no newline.
        func handle(_ line: UnsafeBufferPointer<UInt8>, start: Int64, complete: Bool) {
            var line = line
            if let last = line.last, last == 0x0D { line = UnsafeBufferPointer(rebasing: line.dropLast()) }
            let lineNumber = lineStarts.count
            lineStarts.append(start)
            guard metadata != nil else {
                do { metadata = try ReplayLogFormat.parseHeader(line) } catch { failure = error }
                return
            }
            if line.isEmpty { return }
            do {
                let record = try reader.record(line)
                index.add(record, number: Int32(recordLines.count))
                recordLines.append(Int32(lineNumber))
            } catch {
                let what = complete ? error.message : "the file ends in the middle of this line (\(error.message))"
                index.noteProblem("\(path):\(lineNumber + 1)", "saved record: \(what)")
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
                throw ReplayLogError("cannot read \(path): \(String(cString: strerror(errno)))")
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
                handle(UnsafeBufferPointer(start: base + lineStart, count: end - lineStart), start: bufferStart + Int64(lineStart), complete: true)
                lineStart = end + 1
            }
            // Keep the unfinished line for the next block.
            if lineStart > 0 {
                (buffer.baseAddress!).copyMemory(from: buffer.baseAddress! + lineStart, byteCount: filled - lineStart)
                filled -= lineStart
                bufferStart += Int64(lineStart)
            }
            progress?(bufferStart + Int64(filled), fileSize)
        }
        if let failure { throw ReplayLogError("\(path): \(failure.message)") }
        guard let metadata else { throw ReplayLogError("\(path) is empty: not an AgentBus replay log") }
        return ReplayLog(
            index: index,
            store: .file(path: path, fileSize: fileSize, lineStarts: lineStarts, recordLines: recordLines),
            metadata: metadata)
    }
}
