import AgentBus
import Foundation
import Synchronization
import TestSupport

/// The stand-in OpenAI-compatible server (Tests/Fixtures/model-stub-server.py) as a process:
/// for agents that call a model. It exits when its standard input closes (``stop()``, or this
/// test process ending).
final class ModelStubServer: @unchecked Sendable {
    private let process: Process
    private let input: Pipe
    let port: Int

    /// The base URL an OpenAI-compatible client is given.
    var baseURL: String { "http://127.0.0.1:\(port)/v1" }

    /// Starts the server and waits for it to print its port.
    init() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Paths.repository.appendingPathComponent("Tests/Fixtures/model-stub-server.py").path]
        let output = Pipe()
        let input = Pipe()
        process.standardOutput = output
        process.standardInput = input
        process.standardError = FileHandle.nullDevice
        try process.run()
        var line = Data()
        while let byte = try output.fileHandleForReading.read(upToCount: 1), let first = byte.first, first != 10 {
            line.append(first)
        }
        guard let port = Int(String(decoding: line, as: UTF8.self)) else {
            throw TestFailure("the model stub server printed no port (is python3 installed?)")
        }
        self.process = process
        self.input = input
        self.port = port
    }

    /// Chat requests made to count the calls (``chatCalls()``), not the agents'.
    private let probes = Mutex(0)

    /// How many chat requests the server has answered with its echo, the ones this count
    /// makes excluded. It asks for one more echo and reads its `call` (every echo numbers itself).
    func chatCalls() async throws -> Int {
        let client = OpenAICompatibleClient(
            configuration: .init(baseURL: URL(string: baseURL)!, model: "count", timeout: .seconds(10)))
        let response = try await client.complete(ChatRequest(messages: [.user("count")]))
        let probes = probes.withLock { probes in
            probes += 1
            return probes
        }
        guard let echo = try JSONSerialization.jsonObject(with: Data(response.content.utf8)) as? [String: Any],
            let call = echo["call"] as? Int
        else { throw TestFailure("the model stub server's echo has no call number: \(response.content)") }
        return call - probes
    }

    /// Closes its input and waits until it has exited: nothing listens on ``port`` any more.
    func stop() {
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
    }
}
