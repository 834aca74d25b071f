import AgentBus
import Foundation
import TestSupport

/// Asks an agent's HTTP endpoint, and reads its `/metrics` with a Prometheus parser AgentBus
/// did not write (prometheus-client, in the `.venv-tools` venv scripts/setup.sh makes).
enum ProbeScraper {
    /// GETs `path` from the agent on `port`; the socket calls run on a thread of their own.
    static func get(_ path: String, port: Int, method: String = "GET") async throws -> ProbeHTTPClient.Answer {
        let result: Result<ProbeHTTPClient.Answer, ProbeHTTPClient.Failure> = await withCheckedContinuation { continuation in
            Thread {
                continuation.resume(returning: Result { () throws(ProbeHTTPClient.Failure) in
                    try ProbeHTTPClient.get(host: "127.0.0.1", port: port, path: path, method: method, timeout: .seconds(5))
                })
            }.start()
        }
        return try result.get()
    }

    /// Asks `path` every 200 ms until it answers `status`; the last answer (of `status` or not)
    /// once `timeout` passed.
    static func waitFor(_ path: String, port: Int, status: Int, timeout: Duration) async throws -> ProbeHTTPClient.Answer {
        let deadline = ContinuousClock.now + timeout
        while true {
            let answer = try await get(path, port: port)
            if answer.status == status || ContinuousClock.now >= deadline { return answer }
            try await Task.sleep(for: .milliseconds(200))
        }
    }

    /// The port an agent's log says its endpoint listens on.
    static func port(in log: [String]) -> Int? {
        for line in log {
            guard let range = line.range(of: "http endpoint listening on ") else { continue }
            let rest = line[range.upperBound...].prefix { $0 != " " }
            if let colon = rest.lastIndex(of: ":") { return Int(rest[rest.index(after: colon)...]) }
        }
        return nil
    }

    static let python = Paths.repository.appendingPathComponent(".venv-tools/bin/python").path

    /// Every sample of the exposition `text`, as `name{label="value",...}` (labels sorted) to its
    /// value, parsed by `prometheus_client.parser.text_string_to_metric_families`; also the
    /// family names with their types. Throws what the parser said when the text is not valid.
    static func parse(_ text: String) async throws -> (samples: [String: Double], families: [String: String]) {
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw TestFailure("\(python) is missing: run scripts/setup.sh, which installs prometheus-client there")
        }
        let script = """
            import json, sys
            from prometheus_client.parser import text_string_to_metric_families
            samples, families = {}, {}
            for family in text_string_to_metric_families(sys.stdin.read()):
                families[family.name] = family.type
                for s in family.samples:
                    labels = ",".join(f'{k}="{v}"' for k, v in sorted(s.labels.items()))
                    samples[f"{s.name}{{{labels}}}"] = s.value
            print(json.dumps({"samples": samples, "families": families}))
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-c", script]
        let input = Pipe()
        let output = Pipe()
        let errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        input.fileHandleForWriting.write(Data(text.utf8))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw TestFailure("prometheus_client could not parse /metrics: \(errorText)")
        }
        struct Parsed: Decodable {
            let samples: [String: Double]
            let families: [String: String]
        }
        let parsed = try JSONDecoder().decode(Parsed.self, from: data)
        return (parsed.samples, parsed.families)
    }
}
