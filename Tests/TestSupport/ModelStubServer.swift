import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The stand-in OpenAI-compatible server (Tests/Fixtures/model-stub-server.py) as a process on
/// loopback, for tests of model clients and of agents that call a model. Each test or suite
/// starts its own, so one's scripted storms and call log never meet another's requests. It exits
/// when its standard input closes: at ``stop()``, or when the test process ends (the pipe's write
/// end is held only by the test process).
public final class ModelStubServer: Sendable {
    public let port: Int
    private let process: Process
    private let input: Pipe

    /// Starts the server and waits for it to print its port.
    public init() throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/model-stub-server.py").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script]
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

    /// The API's base URL as an agent's `--model-url` (or an environment variable) takes it.
    public var baseURL: String { "http://127.0.0.1:\(port)/v1" }

    /// The API's base URL, for a client's configuration.
    public var apiURL: URL { URL(string: baseURL)! }

    /// When each chat request so far arrived (GET /calls), in the server's monotonic seconds,
    /// ``storm(_:)`` requests left out.
    public func arrivals() async throws -> [Double] {
        let (data, _) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/calls")!)
        return try JSONDecoder().decode([Double].self, from: data)
    }

    /// Makes the server's next `count` chat requests, whoever sends them, answer 429 with
    /// `Retry-After: 1`.
    public func storm(_ count: Int) async throws {
        var request = URLRequest(url: apiURL.appendingPathComponent("chat/completions"))
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = Data(#"{"model":"stub","messages":[{"role":"user","content":"storm:\#(count)"}]}"#.utf8)
        let (_, response) = try await URLSession.shared.data(for: request)
        guard (response as? HTTPURLResponse)?.statusCode == 200 else {
            throw TestFailure("the model stub server did not take storm:\(count)")
        }
    }

    /// Closes its input and waits until it has exited: nothing listens on ``port`` any more.
    public func stop() {
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
    }
}
