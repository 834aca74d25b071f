import Foundation

/// The command line:
/// `agent-bench [--events N] [--runs R] [--rates E,...] [--latency-seconds S] [--latency-runs L]
///              [--warmup-seconds W] [--brokers B] [--only raw|agent] [--handler H] [--schemas DIR]
///              [--agentbus PATH]`.
struct Options {
    /// The offered rate whose latency has the p50 and p99 goals.
    static let latencyGoalRate = 2_000
    /// The offered rate the agent must keep up with in every run.
    static let keepUpGoalRate = 5_000

    var events = 100_000
    var runs = 3
    var rates = [latencyGoalRate, keepUpGoalRate]
    var latencySeconds = 5
    var latencyRuns = 3
    var warmupSeconds = 1
    var brokers = 1
    /// Measure only one side (for profiling one of them).
    var only: Side?
    var schemas = "schemas"
    var handler = HandlerVariant.typed
    /// The `agentbus` executable that runs `dev-broker`: by default the one next to this program.
    var agentbus = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        .appendingPathComponent("agentbus").path

    static let usage = """
        usage: agent-bench [--events N] [--runs R] [--rates E,...] [--latency-seconds S] [options]
          --events N           input events per throughput run (default 100000; at most ~150000, since each of
                               the 24 partitions keeps only 5 MiB on the embedded cluster)
          --runs R             throughput runs of each side, alternating raw and AgentBus (default 3; 0 skips)
          --rates E,...        events/s offered in the latency runs, one series of runs per rate (default
                               2000,5000: the rates the goals name)
          --latency-seconds S  measured seconds of each latency run, after the warm-up (default 5; 0 skips)
          --latency-runs L     latency runs of each side and rate, alternating (default 3; the median is summarised)
          --warmup-seconds W   seconds paced before measuring latency (default 1)
          --brokers B          brokers of the dev-broker process (default 1)
          --only raw|agent     measure one side only (for profiling)
          --handler H          the agent's handler: typed (CreditChecked -> RiskScored, default), nolog (without its
                               context.logger line) or untyped (a fixed RiskScored payload, no Codable)
          --schemas DIR        the schema catalog (default schemas)
          --agentbus PATH      the agentbus executable that runs dev-broker (default: next to agent-bench)
        """

    /// Parses `arguments` (without the program name); prints the usage and exits on a bad one.
    static func parse(_ arguments: [String]) -> Options {
        var options = Options()
        var rest = arguments[...]
        while let argument = rest.popFirst() {
            let (name, inlineValue) = split(argument)
            if name == "--help" || name == "-h" {
                print(usage)
                exit(0)
            }
            guard let value = inlineValue ?? rest.popFirst() else { fail("\(name) needs a value") }
            func number(minimum: Int) -> Int {
                guard let number = Int(value), number >= minimum else {
                    fail("\(name) \(value): expected a whole number of at least \(minimum)")
                }
                return number
            }
            switch name {
            case "--events": options.events = number(minimum: 2)
            case "--runs": options.runs = number(minimum: 0)
            case "--rates":
                let rates = value.split(separator: ",").map { Int($0) }
                guard !rates.isEmpty, rates.allSatisfy({ ($0 ?? 0) >= 1 }) else {
                    fail("--rates \(value): expected whole numbers of at least 1, separated by commas")
                }
                options.rates = rates.map { $0! }
            case "--latency-seconds": options.latencySeconds = number(minimum: 0)
            case "--warmup-seconds": options.warmupSeconds = number(minimum: 0)
            case "--latency-runs": options.latencyRuns = number(minimum: 1)
            case "--brokers": options.brokers = number(minimum: 1)
            case "--only":
                guard let side = Side(rawValue: value) else { fail("--only takes raw or agent, got \(value)") }
                options.only = side
            case "--schemas": options.schemas = value
            case "--handler":
                guard let handler = HandlerVariant(rawValue: value) else {
                    fail("--handler takes typed, nolog or untyped, got \(value)")
                }
                options.handler = handler
            case "--agentbus": options.agentbus = value
            default: fail("unknown option \(name)")
            }
        }
        return options
    }

    /// The sides to measure, in the order of the first run.
    var sides: [Side] { only.map { [$0] } ?? [.raw, .agent] }

    /// `--name=value` → (`--name`, `value`); `--name` → (`--name`, nil).
    private static func split(_ argument: String) -> (String, String?) {
        guard let equals = argument.firstIndex(of: "=") else { return (argument, nil) }
        return (String(argument[..<equals]), String(argument[argument.index(after: equals)...]))
    }

    private static func fail(_ message: String) -> Never {
        printError("agent-bench: \(message)\n\(usage)")
        exit(2)
    }
}

/// What is measured: a relay written with librdkafka calls only, or an AgentBus agent.
enum Side: String {
    case raw
    case agent

    var label: String {
        switch self {
        case .raw: "raw librdkafka"
        case .agent: "AgentBus agent"
        }
    }
}

func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
