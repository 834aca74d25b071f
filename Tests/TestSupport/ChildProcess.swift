import Foundation
import Synchronization

/// A real `agentbus` process started by a test, with its stdout read line by line.
///
/// Tests wait for what a process prints (an event), never for time to pass; the timeouts here
/// are only a safety net for a broken build.
public final class ChildProcess: @unchecked Sendable {
    private let process: Process
    private let output = PrintedLines()

    /// The directory holding the products of this build (`agentbus`, the test bundle).
    public static let productsDirectory: URL = {
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
    }()

    public static var agentbusPath: String { productsDirectory.appendingPathComponent("agentbus").path }

    private let errorOutput = PrintedLines()
    private let capturesStandardError: Bool
    /// The write end of the child's standard input, when the test holds it.
    private let input: FileHandle?

    /// Starts `agentbus` (or `executable`) with `arguments`. Its stderr goes to the test's
    /// stderr, for diagnosis, unless `capturingStandardError`, which collects it in
    /// ``errorLines``. `environment` is added to (and overrides) the test's own environment;
    /// `removingEnvironment` names variables the child must not inherit. It runs in
    /// `currentDirectory` when given, else in the test's. Its standard input is empty, or, when
    /// `holdingStandardInput`, a pipe that only this object holds: it ends at
    /// ``closeStandardInput()``, or when the test process ends, however it ends (for a child
    /// that stops when its input closes).
    public init(
        _ arguments: [String], executable: String? = nil, environment: [String: String] = [:],
        removingEnvironment: [String] = [], currentDirectory: URL? = nil, capturingStandardError: Bool = false,
        holdingStandardInput: Bool = false
    ) throws {
        process = Process()
        capturesStandardError = capturingStandardError
        process.executableURL = URL(fileURLWithPath: executable ?? Self.agentbusPath)
        process.arguments = arguments
        if let currentDirectory { process.currentDirectoryURL = currentDirectory }
        if !removingEnvironment.isEmpty {
            var inherited = ProcessInfo.processInfo.environment
            for name in removingEnvironment { inherited[name] = nil }
            process.environment = inherited
        }
        if !environment.isEmpty {
            process.environment = (process.environment ?? ProcessInfo.processInfo.environment).merging(environment) { $1 }
        }
        let stdout = Pipe()
        process.standardOutput = stdout
        if holdingStandardInput {
            let stdin = Pipe()
            process.standardInput = stdin
            input = stdin.fileHandleForWriting
        } else {
            process.standardInput = FileHandle.nullDevice
            input = nil
        }
        let stderr = capturingStandardError ? Pipe() : nil
        if let stderr { process.standardError = stderr }
        try process.run()
        // Read once the child has the pipes and the parent's write ends are closed, so the
        // readers see end of file when the child exits.
        Self.readLines(from: stdout, into: output)
        if let stderr { Self.readLines(from: stderr, into: errorOutput) }
    }

    /// Closes the child's standard input, when started `holdingStandardInput`.
    public func closeStandardInput() { try? input?.close() }

    /// What the process wrote to stderr, when started `capturingStandardError`.
    public var errorLines: [String] { errorOutput.all }

    /// Waits until the stderr lines satisfy `predicate` (for processes that log to stderr, such
    /// as agents, started `capturingStandardError`); false if stderr ended first or `timeout`
    /// passed.
    @discardableResult
    public func waitForErrorLines(
        timeout: Duration = .seconds(60), _ predicate: @escaping @Sendable ([String]) -> Bool
    ) async -> Bool {
        await errorOutput.waitFor(timeout: timeout, predicate)
    }

    /// The process ID, for diagnostics.
    public var processIdentifier: Int32 { process.processIdentifier }

    /// Reads `pipe` line by line into `output` until end of file, on a thread of its own.
    ///
    /// A blocking read loop, not `FileHandle.readabilityHandler`: on Linux, tearing down the
    /// dispatch read source behind `readabilityHandler` can crash libdispatch in
    /// `_dispatch_event_loop_drain` (swift-corelibs-libdispatch#949, swift-corelibs-foundation#3276),
    /// which now and then took a whole test process down right after it started a child.
    private static func readLines(from pipe: Pipe, into output: PrintedLines) {
        let handle = pipe.fileHandleForReading
        let thread = Thread {
            let descriptor = handle.fileDescriptor
            var pending: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 64 * 1024)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                if count < 0, errno == EINTR { continue }
                if count <= 0 { break }
                pending += buffer[0..<count]
                var lines: [String] = []
                var start = 0
                while let newline = pending[start...].firstIndex(of: UInt8(ascii: "\n")) {
                    lines.append(String(decoding: pending[start..<newline], as: UTF8.self))
                    start = newline + 1
                }
                if start > 0 { pending.removeFirst(start) }
                if !lines.isEmpty { output.append(lines) }
            }
            output.end()
            try? handle.close()
        }
        thread.start()
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    public var lines: [String] { output.all }

    @discardableResult
    public func waitFor(timeout: Duration = .seconds(60), _ predicate: @escaping @Sendable ([String]) -> Bool) async -> Bool {
        await output.waitFor(timeout: timeout, predicate)
    }

    /// Waits until the lines of all `processes` together satisfy `predicate`, re-checking
    /// whenever any of them prints.
    public static func waitUntil(
        _ processes: [ChildProcess], timeout: Duration = .seconds(60), _ predicate: ([[String]]) -> Bool
    ) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while true {
            let snapshot = processes.map(\.lines)
            if predicate(snapshot) { return true }
            let remaining = deadline - .now
            if remaining <= .zero { return false }
            let printedMore = await withTaskGroup(of: Bool.self) { group in
                for (process, lines) in zip(processes, snapshot) {
                    let seen = lines.count
                    group.addTask { await process.waitFor(timeout: remaining) { $0.count > seen } }
                }
                var any = false
                for await printed in group where printed {
                    any = true
                    break
                }
                group.cancelAll()
                return any
            }
            if !printedMore { return predicate(processes.map(\.lines)) }
        }
    }

    /// The first line, once printed.
    public func firstLine(timeout: Duration = .seconds(60)) async -> String? {
        await waitFor(timeout: timeout) { !$0.isEmpty } ? lines.first : nil
    }

    public func signal(_ number: Int32) { kill(process.processIdentifier, number) }

    /// Waits for the process to exit and for its output to be read; returns its status.
    public func waitForExit() async -> Int32 {
        let status: Int32 = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                self.process.waitUntilExit()
                continuation.resume(returning: self.process.terminationStatus)
            }
        }
        // Both pipes end once the process is gone; wait for that so no line is missed.
        _ = await output.waitFor(timeout: .seconds(10)) { _ in false }
        if capturesStandardError { _ = await errorOutput.waitFor(timeout: .seconds(10)) { _ in false } }
        return status
    }
}
