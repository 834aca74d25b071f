import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The stand-in for an OpenAI-compatible server (Tests/Fixtures/model-stub-server.py), run as a
/// process on loopback. Each suite starts its own, so one suite's scripted storms and call
/// counts never meet another's requests. It exits when the test process does: its standard input
/// is a pipe only this process holds, and it holds none of ours.
final class ModelStubServer: Sendable {
    let port: Int
    private let process: Process
    private let input: Pipe

    private init(process: Process, port: Int, input: Pipe) {
        self.process = process
        self.port = port
        self.input = input
    }

    /// Starts a server and reads its port; nil if it did not start.
    static func start() -> ModelStubServer? {
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
        guard (try? process.run()) != nil else { return nil }
        var line = Data()
        while let byte = try? output.fileHandleForReading.read(upToCount: 1), let first = byte.first, first != 10 {
            line.append(first)
        }
        guard let port = Int(String(decoding: line, as: UTF8.self)) else { return nil }
        return ModelStubServer(process: process, port: port, input: input)
    }

    /// The API's base URL, for a client's configuration.
    var baseURL: URL { URL(string: "http://127.0.0.1:\(port)/v1")! }

    /// When each chat request so far arrived (GET /calls), in the server's monotonic seconds,
    /// "storm:N" requests left out.
    func arrivals() async throws -> [Double] {
        let (data, _) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/calls")!)
        return try JSONDecoder().decode([Double].self, from: data)
    }
}
