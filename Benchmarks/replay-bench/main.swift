#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import AgentBus
import BenchmarkResults
import Foundation

// `make bench`: replay of saved logs of 100k and 1M events. For each size it writes a synthetic
// log (see SyntheticLog), then replays it in a child process of its own (so peak memory is
// replay's alone): load and index, render one workflow as a tree, list all workflows, lint all.
// The floor is reading the same file and finding its lines without parsing, in the same child.
//
//   replay-bench [--events N]... [--keep]   sizes to run (default 100000 and 1000000); --keep
//                                           leaves the logs for agentbus replay --from-file
//                [--quick] [--results FILE] --quick: 100000 only (`make bench-quick`);
//                                           --results: append the figures to FILE as JSON Lines
//   replay-bench --measure FILE CID     (internal) the child's part

let arguments = Array(CommandLine.arguments.dropFirst())

if arguments.first == "--measure", arguments.count == 3 {
    let measurement = try Measurement.run(path: arguments[1], correlationID: arguments[2])
    print(measurement.line)
    exit(0)
}

var sizes: [Int] = []
var keep = false
var quick = false
/// Where the figures go as JSON Lines, for `make bench`'s table.
var results: BenchmarkResultsFile?
var index = 0
while index < arguments.count {
    switch arguments[index] {
    case "--events" where index + 1 < arguments.count:
        guard let size = Int(arguments[index + 1].replacingOccurrences(of: "_", with: "")), size > 0 else {
            FileHandle.standardError.write(Data("replay-bench: --events takes a positive number\n".utf8))
            exit(2)
        }
        sizes.append(size)
        index += 2
    case "--keep":
        keep = true
        index += 1
    case "--quick":
        quick = true
        index += 1
    case "--results":
        guard index + 1 < arguments.count else {
            FileHandle.standardError.write(Data("replay-bench: --results needs a file\n".utf8))
            exit(2)
        }
        results = BenchmarkResultsFile(path: arguments[index + 1])
        index += 2
    case "--help", "-h":
        print(
            "usage: replay-bench [--events N]... [--keep] [--quick] [--results FILE]   (default: 100000 and 1000000; "
                + "--keep leaves the logs; --quick: 100000 only; --results appends the figures to FILE as JSON Lines)")
        exit(0)
    default:
        FileHandle.standardError.write(Data("replay-bench: unknown argument \(arguments[index]); see --help\n".utf8))
        exit(2)
    }
}
if sizes.isEmpty { sizes = quick ? [100_000] : [100_000, 1_000_000] }

func format(_ seconds: Double) -> String { String(format: "%.2f s", seconds) }
func megabytes(_ bytes: Int64) -> String { String(format: "%.0f MB", Double(bytes) / 1_000_000) }

print("replay-bench: replay of saved logs (goal: 1M events loaded, indexed, rendered and linted in under 5 s and 1.5 GB)")
let directory = FileManager.default.temporaryDirectory.appendingPathComponent("agentbus-replay-bench-\(getpid())").path
try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
defer { if !keep { try? FileManager.default.removeItem(atPath: directory) } }

for size in sizes {
    let path = "\(directory)/log-\(size).jsonl"
    print("\n== \(size) events ==")
    print("writing the log...")
    FileHandle.standardOutput.synchronizeFile()
    var written = SyntheticLog.Written()
    let writeSeconds = try Measurement.seconds { written = try SyntheticLog.write(events: size, to: path) }
    print("\(written.events) events, \(written.records) records, \(format(writeSeconds))")

    let child = Process()
    child.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
    child.arguments = ["--measure", path, written.lastCorrelation]
    let output = Pipe()
    child.standardOutput = output
    try child.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    child.waitUntilExit()
    guard child.terminationStatus == 0, let line = String(data: data, encoding: .utf8),
        let m = Measurement(line: line.trimmingCharacters(in: .whitespacesAndNewlines))
    else {
        print("replay-bench: the measuring process failed (status \(child.terminationStatus))")
        exit(1)
    }
    let total = m.loadSeconds + m.renderSeconds + m.lintSeconds
    print("  file                  \(megabytes(m.fileBytes)), \(m.records) records, \(m.events) events, \(m.workflows) workflows")
    print("  raw scan (floor)      \(format(m.rawScanSeconds))  (\(String(format: "%.0f", Double(m.fileBytes) / 1e6 / m.rawScanSeconds)) MB/s)")
    print("  load and index        \(format(m.loadSeconds))  (\(String(format: "%.0f", Double(m.fileBytes) / 1e6 / m.loadSeconds)) MB/s, \(String(format: "%.0f", Double(m.records) / m.loadSeconds / 1000))k records/s, \(String(format: "%.1f", m.loadSeconds / m.rawScanSeconds))× the raw scan)")
    print("  render one workflow   \(String(format: "%.2f ms", m.renderSeconds * 1000))")
    print("  list all (ls)         \(format(m.listSeconds))")
    print("  lint all              \(format(m.lintSeconds))  (\(m.findings) findings)")
    print("  peak memory           \(megabytes(m.peakBytes))")
    if size >= 1_000_000 {
        let timeMet = total < 5, memoryMet = m.peakBytes < 1_500_000_000
        print("  goal: load + render + lint \(format(total)) < 5 s: \(timeMet ? "met" : "NOT met"); peak \(megabytes(m.peakBytes)) < 1.5 GB: \(memoryMet ? "met" : "NOT met")")
    }
    if let results {
        let scale = size >= 1_000_000 && size % 1_000_000 == 0 ? "\(size / 1_000_000)M" : size % 1000 == 0 ? "\(size / 1000)k" : "\(size)"
        let detail = "one run, \(m.records) records, \(megabytes(m.fileBytes)), in a child process"
        do {
            try results.append([
                BenchmarkFigure(
                    group: "replay", figure: "load and index \(scale) events", value: m.loadSeconds, unit: "s",
                    better: .lower, baseline: ("raw scan of the file (no parsing)", m.rawScanSeconds), detail: detail),
                BenchmarkFigure(
                    group: "replay", figure: "render one workflow, \(scale) log", value: m.renderSeconds * 1000, unit: "ms",
                    better: .lower, detail: detail),
                BenchmarkFigure(
                    group: "replay", figure: "ls all, \(scale) log", value: m.listSeconds, unit: "s", better: .lower,
                    detail: detail),
                BenchmarkFigure(
                    group: "replay", figure: "lint all, \(scale) log", value: m.lintSeconds, unit: "s", better: .lower,
                    detail: detail),
                BenchmarkFigure(
                    group: "replay", figure: "peak memory, \(scale) log", value: (Double(m.peakBytes) / 1e6).rounded(),
                    unit: "MB", better: .lower, detail: detail + "; ru_maxrss of the replaying process"),
            ])
        } catch {
            print("replay-bench: \(error)")
            exit(1)
        }
    }
    if keep {
        print("  kept                  \(path) (try: agentbus replay ls --from-file \(path) --slowest 5)")
    } else {
        try? FileManager.default.removeItem(atPath: path)
    }
}
