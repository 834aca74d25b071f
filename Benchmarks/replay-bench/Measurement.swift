#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import AgentBus
import AgentBusReplay

/// One replay of a saved log, in a process of its own so its peak memory is replay's alone.
struct Measurement {
    var fileBytes: Int64 = 0
    var records = 0
    var events = 0
    var workflows = 0
    /// Reading the file and finding its lines, no parsing: the floor any loader stands on.
    var rawScanSeconds = 0.0
    var loadSeconds = 0.0
    var renderSeconds = 0.0
    var listSeconds = 0.0
    var lintSeconds = 0.0
    var findings = 0
    var peakBytes: Int64 = 0

    static func seconds(_ body: () throws -> Void) rethrows -> Double {
        let clock = ContinuousClock()
        let elapsed = try clock.measure(body)
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    /// Reads `path` in 8 MiB blocks and counts its lines.
    static func rawScan(_ path: String) -> (bytes: Int64, lines: Int) {
        let descriptor = open(path, O_RDONLY)
        precondition(descriptor >= 0, "cannot open \(path)")
        defer { close(descriptor) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 8 << 20, alignment: 16)
        defer { buffer.deallocate() }
        var bytes: Int64 = 0
        var lines = 0
        while true {
            let count = read(descriptor, buffer.baseAddress, buffer.count)
            if count <= 0 { break }
            bytes += Int64(count)
            var position = buffer.baseAddress!
            var left = count
            while left > 0, let newline = memchr(position, 0x0A, left) {
                lines += 1
                let step = position.distance(to: newline) + 1
                position = newline + 1
                left -= step
            }
        }
        return (bytes, lines)
    }

    static func run(path: String, correlationID: String) throws -> Measurement {
        var result = Measurement()
        result.rawScanSeconds = seconds { result.fileBytes = rawScan(path).bytes }
        var loaded: ReplayLog?
        result.loadSeconds = try seconds { loaded = try ReplayLog.load(path: path) }
        let log = loaded!
        result.records = log.recordCount
        result.events = log.eventCount
        var rendered = ""
        result.renderSeconds = seconds {
            guard let workflow = log.workflow(correlationID) else { fatalError("workflow \(correlationID) not in the log") }
            rendered = ReplayTreeView.render(workflow)
        }
        precondition(!rendered.isEmpty)
        result.listSeconds = seconds { result.workflows = log.summaries().count }
        result.lintSeconds = seconds { result.findings = log.lint(nil).count }
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        result.peakBytes = Int64(usage.ru_maxrss) * 1024
        return result
    }

    /// The figures as one line for the parent process.
    var line: String {
        [
            "\(fileBytes)", "\(records)", "\(events)", "\(workflows)", "\(rawScanSeconds)", "\(loadSeconds)",
            "\(renderSeconds)", "\(listSeconds)", "\(lintSeconds)", "\(findings)", "\(peakBytes)",
        ].joined(separator: " ")
    }

    init() {}

    init?(line: String) {
        let fields = line.split(separator: " ").map(String.init)
        guard fields.count == 11 else { return nil }
        fileBytes = Int64(fields[0]) ?? 0
        records = Int(fields[1]) ?? 0
        events = Int(fields[2]) ?? 0
        workflows = Int(fields[3]) ?? 0
        rawScanSeconds = Double(fields[4]) ?? 0
        loadSeconds = Double(fields[5]) ?? 0
        renderSeconds = Double(fields[6]) ?? 0
        listSeconds = Double(fields[7]) ?? 0
        lintSeconds = Double(fields[8]) ?? 0
        findings = Int(fields[9]) ?? 0
        peakBytes = Int64(fields[10]) ?? 0
    }
}
