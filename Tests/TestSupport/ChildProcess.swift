import Foundation
import Synchronization

/// A real `agentbus` process started by a test, with its stdout read line by line.
///
/// Tests wait for what a process prints (an event), never for time to pass; the timeouts here
/// are only a safety net for a broken build.
/// The lines a child process printed, and the tests waiting for some of them.
final class PrintedLines: Sendable {
    private struct Waiter {
        let id: UUID
        let predicate: @Sendable ([String]) -> Bool
        let continuation: CheckedContinuation<Bool, Never>
    }

    private struct State {
        var lines: [String] = []
        var waiters: [Waiter] = []
        var ended = false
    }

    private let state = Mutex(State())

    var all: [String] { state.withLock { $0.lines } }

    func append(_ lines: [String]) {
        let ready = state.withLock { state in
            state.lines += lines
            let snapshot = state.lines
            let ready = state.waiters.filter { $0.predicate(snapshot) }
            state.waiters.removeAll { waiter in ready.contains { $0.id == waiter.id } }
            return ready.map(\.continuation)
        }
        for continuation in ready { continuation.resume(returning: true) }
    }

    func end() {
        let waiting = state.withLock { state in
            state.ended = true
            defer { state.waiters = [] }
            return state.waiters.map(\.continuation)
        }
        for continuation in waiting { continuation.resume(returning: false) }
    }

    /// Waits until the lines satisfy `predicate`; false if the output ended first or `timeout`
    /// (a safety net for a broken build) passed.
    func waitFor(timeout: Duration, _ predicate: @escaping @Sendable ([String]) -> Bool) async -> Bool {
        let id = UUID()
        return await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                await withCheckedContinuation { continuation in
                    let immediate: Bool? = self.state.withLock { state in
                        if predicate(state.lines) { return true }
                        if state.ended || Task.isCancelled { return false }
                        state.waiters.append(Waiter(id: id, predicate: predicate, continuation: continuation))
                        return nil
                    }
                    if let immediate { continuation.resume(returning: immediate) }
                }
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                let waiter = self.state.withLock { state in
                    state.waiters.firstIndex { $0.id == id }.map { state.waiters.remove(at: $0) }
                }
                waiter?.continuation.resume(returning: false)
                return false
            }
            let result = await group.next()!
            group.cancelAll()
            return result
        }
    }
}

/// A real `agentbus` process started by a test, with its stdout read line by line.
///
/// Tests wait for what a process prints (an event), never for time to pass; the timeouts here
/// are only a safety net for a broken build.
final class ChildProcess: @unchecked Sendable {
    private let process: Process
    private let output = PrintedLines()

    /// The directory holding the products of this build (`agentbus`, the test bundle).
    static let productsDirectory: URL = {
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
    }()

    static var agentbusPath: String { productsDirectory.appendingPathComponent("agentbus").path }

    /// Starts `agentbus` with `arguments`. Its stderr goes to the test's stderr, for diagnosis.
    init(_ arguments: [String]) throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: Self.agentbusPath)
        process.arguments = arguments
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardInput = FileHandle.nullDevice
        let output = output
        let pending = Mutex(Data())
        stdout.fileHandleForReading.readabilityHandler = { handle in
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
        try process.run()
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    var lines: [String] { output.all }

    @discardableResult
    func waitFor(timeout: Duration = .seconds(60), _ predicate: @escaping @Sendable ([String]) -> Bool) async -> Bool {
        await output.waitFor(timeout: timeout, predicate)
    }

    /// Waits until the lines of all `processes` together satisfy `predicate`, re-checking
    /// whenever any of them prints.
    static func waitUntil(
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
    func firstLine(timeout: Duration = .seconds(60)) async -> String? {
        await waitFor(timeout: timeout) { !$0.isEmpty } ? lines.first : nil
    }

    func signal(_ number: Int32) { kill(process.processIdentifier, number) }

    /// Waits for the process to exit and returns its status.
    func waitForExit() async -> Int32 {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                self.process.waitUntilExit()
                continuation.resume(returning: self.process.terminationStatus)
            }
        }
    }
}

/// A dev-broker process with its own bootstrap file, so tests never touch the user's.
struct DevBrokerProcess {
    let process: ChildProcess
    let bootstrapServers: String
    let bootstrapFile: String

    static func start(topics: String, brokers: Int = 1) async throws -> DevBrokerProcess {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("agentbus-test-\(UUID().uuidString)")
        let file = directory.appendingPathComponent("dev-broker").path
        let process = try ChildProcess(
            ["dev-broker", "--brokers", "\(brokers)", "--topics", topics, "--bootstrap-file", file])
        guard let bootstrap = await process.firstLine() else {
            throw TestFailure("dev-broker printed no bootstrap line")
        }
        return DevBrokerProcess(process: process, bootstrapServers: bootstrap, bootstrapFile: file)
    }

    func stop() async {
        process.signal(SIGTERM)
        _ = await process.waitForExit()
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// One line of `agentbus kafka consume --json`.
struct ConsumedLine {
    let object: [String: Any]

    init?(_ line: String) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return nil }
        self.object = object
    }

    var event: String? { object["event"] as? String }
    var isRecord: Bool { event == nil }
    var value: String? { object["value"] as? String }
    var partition: Int? { object["partition"] as? Int }
    var offset: Int? { object["offset"] as? Int }
    var partitions: [String] { object["partitions"] as? [String] ?? [] }
    var committedOffsets: [String: Int] { object["offsets"] as? [String: Int] ?? [:] }
}

extension Array where Element == String {
    var consumed: [ConsumedLine] { compactMap(ConsumedLine.init) }
    var records: [ConsumedLine] { consumed.filter(\.isRecord) }

    /// The partitions this consumer owns after the events printed so far.
    var currentAssignment: Set<String> {
        var owned: Set<String> = []
        for line in consumed {
            switch line.event {
            case "assigned": owned.formUnion(line.partitions)
            case "revoked": owned.subtract(line.partitions)
            default: break
            }
        }
        return owned
    }
}
