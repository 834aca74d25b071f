import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The side under test as a child process (`agent-bench serve ...`, see ``HopServer``): its CPU
/// time and memory are read from /proc for it alone, and nothing the benchmark does (producing,
/// reading outputs) runs inside it.
final class HopProcess {
    let processID: Int32
    let side: Side
    private let process: Process

    /// Starts the child and waits for its `ready` line (its clients exist; the group forms later).
    init(_ arguments: HopServer.Arguments) throws {
        side = arguments.side
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        process.arguments = [HopServer.command] + arguments.commandLine
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardInput = FileHandle.nullDevice
        try process.run()
        processID = process.processIdentifier

        var line: [UInt8] = []
        let fd = stdout.fileHandleForReading.fileDescriptor
        var byte: UInt8 = 0
        while read(fd, &byte, 1) == 1, byte != UInt8(ascii: "\n") { line.append(byte) }
        guard String(decoding: line, as: UTF8.self) == "ready" else {
            process.waitUntilExit()
            throw BenchError("\(side.label) process did not start (exit status \(process.terminationStatus))")
        }
    }

    /// SIGTERM (a graceful stop: children acknowledged, offsets committed), then waits for the exit.
    func stop() throws {
        guard process.isRunning else {
            throw BenchError("\(side.label) process ended early (exit status \(process.terminationStatus))")
        }
        kill(processID, SIGTERM)
        process.waitUntilExit()
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            throw BenchError("\(side.label) process failed to stop cleanly (status \(process.terminationStatus))")
        }
    }

    deinit {
        if process.isRunning { kill(processID, SIGKILL) }
    }

    func cpuSeconds() -> Double { processCPUSeconds(processID) }

    func memory() -> ProcessMemory { ProcessMemory(processID: processID) }
}
