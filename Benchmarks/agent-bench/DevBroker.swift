import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// `agentbus dev-broker` as a child process: the embedded cluster runs in its own process, on
/// its own thread, as it does for users, and never inside the benchmark's.
///
/// One is started per measurement, so every run starts from empty topics and a broker holding
/// nothing of the previous run (no retention trimming, no old groups).
final class DevBroker {
    /// The bootstrap list, once ``waitForBootstrap()`` has read it (at once unless `waiting` was false).
    private(set) var bootstrapServers = ""
    let processID: Int32
    private let process: Process
    private let directory: URL
    private let logFile: URL
    private let stdout = Pipe()

    /// The bootstrap file it writes: agents given it (`--bootstrap-file`) know they talk to the
    /// embedded cluster and tune their clients for it, as they do under `make demo`.
    let bootstrapFile: String

    /// Starts a dev-broker with `topics` (`name:partitions`) and waits for its bootstrap line.
    /// `agents` get their retry, dead-letter, timer and state topics at start, and every topic it
    /// creates without being named in `topics` gets `catalogPartitions`.
    ///
    /// With `waiting` false it returns once the process runs; ``waitForBootstrap()`` then waits
    /// for the line. Creating its topics at start sometimes takes the embedded cluster many seconds
    /// (0.05 to 18 s for the example system's 70 topics), so the e2e part starts each series'
    /// broker ahead of time.
    init(
        agentbus: String, brokers: Int, topics: [(String, Int)], schemas: String, agents: [String] = [],
        catalogPartitions: Int = 3, waiting: Bool = true
    ) throws {
        guard FileManager.default.isExecutableFile(atPath: agentbus) else {
            throw BenchError(
                "no agentbus executable at \(agentbus): build it first (swift build -c release --product agentbus) "
                    + "or pass --agentbus")
        }
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("agent-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        logFile = directory.appendingPathComponent("dev-broker.log")
        _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)

        process = Process()
        process.executableURL = URL(fileURLWithPath: agentbus)
        bootstrapFile = directory.appendingPathComponent("bootstrap").path
        process.arguments = [
            "dev-broker", "--brokers", String(brokers), "--bootstrap-file", bootstrapFile, "--schemas", schemas,
            "--catalog-partitions", String(catalogPartitions),
        ]
            + (topics.isEmpty ? [] : ["--topics", topics.map { "\($0.0):\($0.1)" }.joined(separator: ",")])
            + agents.flatMap { ["--agent", $0] }
        process.standardOutput = stdout
        process.standardError = try FileHandle(forWritingTo: logFile)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        processID = process.processIdentifier
        if waiting { try waitForBootstrap() }
    }

    /// Waits for the bootstrap line (the cluster is up, its topics created); does nothing once read.
    func waitForBootstrap() throws {
        guard bootstrapServers.isEmpty else { return }
        // The first line is the bootstrap list; read it byte by byte so nothing after it is lost.
        var line: [UInt8] = []
        let fd = stdout.fileHandleForReading.fileDescriptor
        var byte: UInt8 = 0
        while read(fd, &byte, 1) == 1, byte != UInt8(ascii: "\n") { line.append(byte) }
        guard !line.isEmpty else {
            process.waitUntilExit()
            let log = (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
            throw BenchError("dev-broker printed no bootstrap line (exit status \(process.terminationStatus)): \(log)")
        }
        bootstrapServers = String(decoding: line, as: UTF8.self)
    }

    /// SIGTERM, then waits for the process to exit.
    func stop() {
        if process.isRunning {
            kill(processID, SIGTERM)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: directory)
    }

    deinit {
        if process.isRunning { kill(processID, SIGKILL) }
    }

    /// CPU time (user + system) the broker process has used so far.
    func cpuSeconds() -> Double { processCPUSeconds(processID) }
}

/// User + system CPU seconds of a process, from `/proc/<pid>/stat`; 0 when unreadable.
func processCPUSeconds(_ pid: Int32) -> Double {
    guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
        let close = text.lastIndex(of: ")")
    else { return 0 }
    // Fields after the command name: state is field 3, utime 14, stime 15.
    let fields = text[text.index(after: close)...].split(separator: " ")
    guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
    return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
}

/// CPU seconds this process has used so far.
func selfCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6 + Double(usage.ru_stime.tv_sec)
        + Double(usage.ru_stime.tv_usec) / 1e6
}
