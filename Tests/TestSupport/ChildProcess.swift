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

    /// Starts `agentbus` with `arguments`. Its stderr goes to the test's stderr, for diagnosis,
    /// unless `capturingStandardError`, which collects it in ``errorLines``.
    public init(_ arguments: [String], executable: String? = nil, capturingStandardError: Bool = false) throws {
        process = Process()
        capturesStandardError = capturingStandardError
        process.executableURL = URL(fileURLWithPath: executable ?? Self.agentbusPath)
        process.arguments = arguments
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardInput = FileHandle.nullDevice
        Self.readLines(from: stdout, into: output)
        if capturingStandardError {
            let stderr = Pipe()
            process.standardError = stderr
            Self.readLines(from: stderr, into: errorOutput)
        }
        try process.run()
    }

    /// What the process wrote to stderr, when started `capturingStandardError`.
    public var errorLines: [String] { errorOutput.all }

    private static func readLines(from pipe: Pipe, into output: PrintedLines) {
        let pending = Mutex(Data())
        pipe.fileHandleForReading.readabilityHandler = { handle in
            let chunk = handle.availableData
            if chunk.isEmpty {
                handle.readabilityHandler = nil
                output.end()
                return
            }
            let lines: [String] = pending.withLock { data in
                data.append(chunk)
                var lines: [String] = []
                while let newline = data.firstIndex(of: UInt8(ascii: "\n")) {
                    lines.append(String(decoding: data[data.startIndex..<newline], as: UTF8.self))
                    data.removeSubrange(data.startIndex...newline)
                }
                return lines
            }
            if !lines.isEmpty { output.append(lines) }
        }
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
        await output.waitFor(timeout: .seconds(10)) { _ in false }
        if capturesStandardError { await errorOutput.waitFor(timeout: .seconds(10)) { _ in false } }
        return status
    }
}
