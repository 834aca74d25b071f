import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The tests' OpenAI-compatible stand-in (`Tests/Fixtures/model-stub-server.py`) as a child
/// process, answering every chat call after a fixed latency (`STUB_LATENCY_MS`), so the model
/// part measures what the runtime makes of a model's wait and nothing of a real model's speed.
///
/// The stub prints its port on its first line and exits when its standard input closes: the
/// pipe kept here, so it ends with this process whatever happens.
final class ModelStub {
    /// `http://127.0.0.1:PORT/v1`, for `OpenAICompatibleClient`.
    let baseURL: String
    let latencyMilliseconds: Int
    private let process: Process
    private let input: Pipe

    init(script: String, latencyMilliseconds: Int) throws {
        guard FileManager.default.fileExists(atPath: script) else {
            throw BenchError("no model stub at \(script): run from the repository's root or pass --model-stub")
        }
        self.latencyMilliseconds = latencyMilliseconds
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script]
        var environment = ProcessInfo.processInfo.environment
        environment["STUB_LATENCY_MS"] = String(latencyMilliseconds)
        process.environment = environment
        input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()

        var line: [UInt8] = []
        let fd = output.fileHandleForReading.fileDescriptor
        var byte: UInt8 = 0
        while read(fd, &byte, 1) == 1, byte != UInt8(ascii: "\n") { line.append(byte) }
        guard let port = Int(String(decoding: line, as: UTF8.self)) else {
            process.waitUntilExit()
            throw BenchError("the model stub printed no port (exit status \(process.terminationStatus)); is python3 installed?")
        }
        baseURL = "http://127.0.0.1:\(port)/v1"
    }

    /// Closes the stub's standard input and waits for it to exit.
    func stop() {
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
    }

    deinit {
        if process.isRunning { process.terminate() }
    }
}
