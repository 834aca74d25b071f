import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// `agent-bench serve raw|agent ...`: the side under test in a process of its own (started by
/// ``HopProcess``), so its CPU time and memory are its own and not the benchmark's.
///
/// Prints `ready` once its clients exist, runs until SIGTERM, then stops gracefully (children in
/// flight acknowledged, offsets committed, group left) and exits 0.
enum HopServer {
    static let command = "serve"

    struct Arguments {
        var side: Side
        var bootstrapServers = ""
        var input = ""
        var output = ""
        var schemas = "schemas"
        var instance = "bench"
        /// The raw relay's consumer group (the agent's is its name).
        var group = RunningSide.rawGroup
        /// The raw relay's `fetch.wait.max.ms`; nil: the shared 1 ms.
        var fetchWaitMilliseconds: Int?
        /// What the agent side runs (the raw side ignores it).
        var setup = AgentSetup()

        /// What ``HopProcess`` passes after `serve`.
        var commandLine: [String] {
            [
                side.rawValue, "--bootstrap", bootstrapServers, "--input", input, "--output", output,
                "--schemas", schemas, "--instance", instance, "--group", group, "--handler", setup.handler.rawValue,
                "--effects", String(setup.effects),
            ]
                + (setup.modelURL.map { ["--model-url", $0] } ?? [])
                + (setup.concurrency.map { ["--concurrency", String($0)] } ?? [])
                + (fetchWaitMilliseconds.map { ["--fetch-wait-ms", String($0)] } ?? [])
        }

        /// Parses what follows `serve`; a one-line reason when something is wrong.
        static func parse(_ arguments: [String]) -> Result<Arguments, BenchError> {
            var rest = arguments[...]
            guard let sideName = rest.popFirst(), let side = Side(rawValue: sideName) else {
                return .failure(BenchError("serve: expected raw or agent first"))
            }
            var parsed = Arguments(side: side)
            while let name = rest.popFirst() {
                guard let value = rest.popFirst() else { return .failure(BenchError("serve: \(name) needs a value")) }
                switch name {
                case "--bootstrap": parsed.bootstrapServers = value
                case "--input": parsed.input = value
                case "--output": parsed.output = value
                case "--schemas": parsed.schemas = value
                case "--instance": parsed.instance = value
                case "--group": parsed.group = value
                case "--fetch-wait-ms":
                    guard let milliseconds = Int(value), milliseconds >= 0 else {
                        return .failure(BenchError("serve: --fetch-wait-ms takes a whole number, got \(value)"))
                    }
                    parsed.fetchWaitMilliseconds = milliseconds
                case "--handler":
                    guard let handler = HandlerVariant(rawValue: value) else {
                        return .failure(BenchError("serve: --handler takes typed, nolog or untyped, got \(value)"))
                    }
                    parsed.setup.handler = handler
                case "--effects":
                    guard let effects = Int(value), effects >= 0 else {
                        return .failure(BenchError("serve: --effects takes a whole number, got \(value)"))
                    }
                    parsed.setup.effects = effects
                case "--model-url": parsed.setup.modelURL = value
                case "--concurrency":
                    guard let concurrency = Int(value), concurrency >= 1 else {
                        return .failure(BenchError("serve: --concurrency takes a whole number of at least 1, got \(value)"))
                    }
                    parsed.setup.concurrency = concurrency
                default: return .failure(BenchError("serve: unknown option \(name)"))
                }
            }
            guard !parsed.bootstrapServers.isEmpty, !parsed.input.isEmpty, !parsed.output.isEmpty else {
                return .failure(BenchError("serve: --bootstrap, --input and --output are required"))
            }
            return .success(parsed)
        }
    }

    static func run(_ commandLine: [String]) async -> Never {
        let arguments: Arguments
        switch Arguments.parse(commandLine) {
        case .success(let parsed): arguments = parsed
        case .failure(let error):
            printError("agent-bench \(error)")
            exit(2)
        }
        // SIGTERM asks for a graceful stop: its default action (exit at once) is replaced by a
        // source that is listening before `ready` is printed, so no SIGTERM can come unheard.
        signal(SIGTERM, SIG_IGN)
        let (terminated, continuation) = AsyncStream<Void>.makeStream()
        let source = DispatchSource.makeSignalSource(signal: SIGTERM, queue: .global())
        source.setEventHandler { continuation.finish() }
        source.resume()
        do {
            let running = try RunningSide.start(arguments)
            FileHandle.standardOutput.write(Data("ready\n".utf8))
            for await _ in terminated {}
            source.cancel()
            try await running.stop()
            exit(0)
        } catch {
            printError("agent-bench serve \(arguments.side.rawValue): \(error)")
            exit(1)
        }
    }
}
