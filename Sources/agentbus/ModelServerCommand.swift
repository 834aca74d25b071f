import ArgumentParser
import Foundation

#if canImport(Glibc)
import Glibc
#endif

struct ModelServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model-server",
        abstract: "Serve a small chat model on 127.0.0.1 with the OpenAI-compatible API, offline.",
        discussion: """
            For development and tests: SmolLM2-135M-Instruct (4-bit, about 220 MB of memory, \
            about 120 tokens/s on 2 idle cores) behind llama.cpp's server, from the Python venv that \
            scripts/setup.sh creates (.venv-model). Prints the API's base URL \
            (http://127.0.0.1:PORT/v1) on its first line once the model answers, then serves until \
            SIGTERM or SIGINT. Endpoints: /v1/chat/completions, /v1/models, /health. Ask for the \
            model smollm2-135m; no key is needed. At temperature 0 its answers are repeatable, and \
            a response_format json_schema (structured output) is honoured. A 135M model's answers \
            are poor: it is for running a pipeline end to end, not for judging one.

            The venv: --venv, else $AGENTBUS_MODEL_VENV, else .venv-model in the current \
            directory, else .venv-model in the repository this agentbus was built in.
            """
    )

    @Option(name: .long, help: "The port on 127.0.0.1; 0 picks a free one.")
    var port: Int = 0

    @Option(name: .long, help: ArgumentHelp(
        "The model's Python venv. Default: $\(ModelVenv.environmentVariable), then ./\(ModelVenv.directoryName), then \(ModelVenv.directoryName) in this agentbus's repository.",
        valueName: "dir"))
    var venv: String?

    @Flag(name: .long, help: "Stop when standard input closes (for a parent process that holds it as a pipe).")
    var exitWithStdin = false

    @Flag(name: .long, help: "Show llama.cpp's own log on stderr.")
    var verbose = false

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port takes 0 to 65535, got \(port)") }
    }

    /// What the command waits for: the server's end, or a reason to end it.
    private enum Event: Sendable {
        case exited(status: Int32, bySignal: Bool)
        case signal(Int32)
        case inputClosed
        case stopDeadlinePassed
    }

    /// How long the server may take to stop once asked before it is killed.
    private static let stopDeadline = Duration.seconds(10)

    func run() async throws {
        let candidates = ModelVenv.candidates(
            named: venv, environment: ProcessInfo.processInfo.environment,
            currentDirectory: URL(fileURLWithPath: FileManager.default.currentDirectoryPath),
            executable: Bundle.main.executableURL)
        guard let found = candidates.first(where: \.isInstalled) else {
            let named = venv != nil || !(ProcessInfo.processInfo.environment[ModelVenv.environmentVariable] ?? "").isEmpty
            let place = named ? " in \(candidates[0].directory.path)" : ""
            Output.error("agentbus model-server: no local model installed\(place): run scripts/setup.sh (creates .venv-model)")
            throw ExitCode.failure
        }

        let (events, sink) = AsyncStream<Event>.makeStream()
        // The server is the script run by the venv's Python. Its stdout and stderr are ours, so
        // its first line (the base URL) is this command's first line. Its stdin is a pipe only
        // this process holds, and with --exit-with-stdin it ends when that closes: when this
        // process ends, however it ends.
        let server = Process()
        server.executableURL = found.python
        server.arguments = ["-c", ModelServerScript.source, "--port", "\(port)", "--exit-with-stdin"]
            + (verbose ? ["--verbose"] : [])
        let input = Pipe()
        server.standardInput = input
        server.terminationHandler = { process in
            sink.yield(.exited(status: process.terminationStatus, bySignal: process.terminationReason == .uncaughtSignal))
        }
        do {
            try server.run()
        } catch {
            Output.error("agentbus model-server: cannot run \(found.python.path): \(error.localizedDescription)")
            throw ExitCode.failure
        }

        // Signals are taken over only now, so the server does not start with them ignored.
        let signalSources = [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { sink.yield(.signal(number)) }
            source.resume()
            return source
        }
        defer { signalSources.forEach { $0.cancel() } }
        if exitWithStdin { Self.watchStandardInput { sink.yield(.inputClosed) } }

        var stopping = false
        for await event in events {
            switch event {
            case .exited(let status, let bySignal):
                withExtendedLifetime(input) {}
                let code = bySignal ? 128 + status : status
                if code != 0 { throw ExitCode(code) }
                return
            case .signal(let number):
                kill(server.processIdentifier, number)
                if !stopping { Self.afterStopDeadline { sink.yield(.stopDeadlinePassed) } }
                stopping = true
            case .inputClosed:
                kill(server.processIdentifier, SIGTERM)
                if !stopping { Self.afterStopDeadline { sink.yield(.stopDeadlinePassed) } }
                stopping = true
            case .stopDeadlinePassed:
                Output.error("agentbus model-server: the server did not stop within \(Self.stopDeadline); killing it")
                kill(server.processIdentifier, SIGKILL)
            }
        }
    }

    /// Calls `closed` once standard input reaches its end (or cannot be read), from a thread of
    /// its own, since the read blocks.
    private static func watchStandardInput(closed: @escaping @Sendable () -> Void) {
        Thread {
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
                if count < 0, errno == EINTR { continue }
                if count <= 0 { break }
            }
            closed()
        }.start()
    }

    private static func afterStopDeadline(_ passed: @escaping @Sendable () -> Void) {
        Task {
            try? await Task.sleep(for: stopDeadline)
            passed()
        }
    }
}
