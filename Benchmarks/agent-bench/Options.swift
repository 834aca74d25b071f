import Foundation

/// The command line:
/// `agent-bench [--events N] [--runs R] [--rates E,...] [--latency-seconds S] [--latency-runs L]
///              [--warmup-seconds W] [--brokers B] [--only WHAT,...] [--handler H] [--schemas DIR]
///              [--agentbus PATH] [--journal-... ] [--model-...] [--e2e-...] [--examples DIR] [--quick]
///              [--results FILE]`.
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
    /// The parts to run (`--only`); every one by default.
    var parts = Set(Part.allCases)

    // The journal part: the hop with `journalEffects` effects per event against the raw relay.
    var journalEvents = 20_000
    var journalRuns = 2
    var journalEffects = [0, 1, 2]
    /// The offered rate of the journal part's latency runs (plain handler against one effect).
    var journalRate = 1_000
    var journalLatencySeconds = 3
    var journalLatencyRuns = 1

    // The model part: one chat call per event, the stub answering after `modelLatency` ms.
    var modelLatency = 50
    /// The agent's concurrency in each series of runs; nil: its own (`AgentPolicies`, 64).
    var modelConcurrency: [Int?] = [nil, 8]
    var modelEvents = 600
    var modelRuns = 1
    var modelStub = "Tests/Fixtures/model-stub-server.py"

    // The end-to-end part: the example system against a chain of raw relays.
    /// Workflows (applications) per second offered, one series each, in this order.
    var e2eRates = [100, 1_000]
    /// Measured seconds at each rate (one value: every rate).
    var e2eSeconds = [20, 10]
    var e2eWarmupSeconds = 2
    /// Longest wait, after a series, for the notifications of its workflows still under way.
    var e2eDrainSeconds = 15
    /// Partitions of every topic of both sides (the dev-broker's `--catalog-partitions`).
    var e2ePartitions = 3
    /// `fetch.wait.max.ms` of every agent (`-X`) and relay: 1 ms, as in the hop part. The agents'
    /// own on the embedded cluster is 5 ms, where an empty fetch is held for the whole wait, which
    /// then adds up to 5 ms a hop to both sides.
    var e2eFetchWait = 1
    /// The directory of the example executables: by default the one this program is in.
    var examples = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent().path
    var schemas = "schemas"
    var handler = HandlerVariant.typed
    /// The `agentbus` executable that runs `dev-broker`: by default the one next to this program.
    var agentbus = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        .appendingPathComponent("agentbus").path
    /// Where the summaries' figures go as JSON Lines, for `make bench`'s table; nil: nowhere.
    var results: String?

    /// `--quick`: every part and figure, on runs small enough for `make bench-quick`.
    mutating func makeQuick() {
        events = 20_000
        runs = 1
        latencySeconds = 2
        latencyRuns = 1
        journalEvents = 5_000
        journalRuns = 1
        journalLatencySeconds = 2
        modelEvents = 200
        e2eSeconds = [3, 2]
        e2eWarmupSeconds = 1
        e2eDrainSeconds = 3
    }

    static let usage = """
        usage: agent-bench [--events N] [--runs R] [--rates E,...] [--latency-seconds S] [options]
          --quick              every part on small runs, once each (`make bench-quick`): --events 20000 --runs 1
                               --latency-seconds 2 --latency-runs 1 --journal-events 5000 --journal-runs 1
                               --journal-latency-seconds 2 --model-events 200 --e2e-seconds 3,2
                               --e2e-warmup-seconds 1 --e2e-drain-seconds 3 (options after it override)
          --results FILE       append the summaries' figures to FILE, one JSON object a line (`make bench`)
          --events N           input events per throughput run (default 100000; at most ~150000, since each of
                               the 24 partitions keeps only 5 MiB on the embedded cluster)
          --runs R             throughput runs of each side, alternating raw and AgentBus (default 3; 0 skips)
          --rates E,...        events/s offered in the latency runs, one series of runs per rate (default
                               2000,5000: the rates the goals name)
          --latency-seconds S  measured seconds of each latency run, after the warm-up (default 5; 0 skips)
          --latency-runs L     latency runs of each side and rate, alternating (default 3; the median is summarised)
          --warmup-seconds W   seconds paced before measuring latency (default 1)
          --brokers B          brokers of the dev-broker process (default 1)
          --only WHAT,...      what to measure: the parts hop (the agent against the raw relay), journal (the
                               effect journal's cost), model (a model-backed hop) and e2e (the example system end
                               to end against a chain of raw relays), and/or one side, raw or
                               agent (for profiling; naming only a side runs the hop part). Default: every part,
                               both sides
          --handler H          the agent's handler: typed (CreditChecked -> RiskScored, default), nolog (without its
                               context.logger line) or untyped (a fixed RiskScored payload, no Codable)
          --schemas DIR        the schema catalog (default schemas)
          --agentbus PATH      the agentbus executable that runs dev-broker (default: next to agent-bench)
        the journal part (the same hop, the agent journaling effects):
          --journal-events N   input events per throughput run (default 20000)
          --journal-runs R     throughput runs of each variant and of the raw relay, alternating (default 2; 0 skips)
          --journal-effects E,...  context.effect calls per event, one variant each; 0 is the plain handler, nothing
                               journaled (default 0,1,2)
          --journal-rate E     events/s offered in the latency runs of 0 and 1 effect (default 1000)
          --journal-latency-seconds S  measured seconds of each such run (default 3; 0 skips)
          --journal-latency-runs L  latency runs of each (default 1)
        the model part (one context.chat per event, the model stub answering after a fixed latency):
          --model-latency-ms MS  the stub's latency (default 50)
          --model-concurrency C,...  the agent's concurrency in each series, a number or default (its own, 64;
                               default: default,8)
          --model-events N     input events per run (default 600)
          --model-runs R       runs of each concurrency (default 1)
          --model-stub PATH    the stub (default Tests/Fixtures/model-stub-server.py; needs python3)
        the e2e part (the example loan system as processes, from application to notification, against a chain of as
        many raw relays as its critical path has hops; the explainer asks the model stub):
          --e2e-rates W,...    workflows/s offered, one series each, in order (default 100,1000)
          --e2e-seconds S,...  measured seconds of each series, one value or one per rate (default 20,10)
          --e2e-warmup-seconds W  seconds paced before each series is measured (default 2)
          --e2e-drain-seconds D  longest wait after a series for its workflows to end (default 15)
          --e2e-partitions P   partitions of every topic, both sides (default 3, as make demo's)
          --e2e-fetch-wait-ms MS  fetch.wait.max.ms of every agent and relay (default 1, as the hop part's; the
                               agents' own on the embedded cluster is 5, which adds up to 5 ms a hop to both sides)
          --examples DIR       the example executables and supervisor (default: next to agent-bench)
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
            if name == "--quick" {
                options.makeQuick()
                continue
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
                var parts = Set<Part>()
                var sides = Set<Side>()
                for name in value.split(separator: ",").map(String.init) {
                    if let part = Part(rawValue: name) {
                        parts.insert(part)
                    } else if let side = Side(rawValue: name) {
                        sides.insert(side)
                    } else {
                        fail("--only takes hop, journal, model, e2e, raw or agent, separated by commas; got \(value)")
                    }
                }
                options.parts = parts.isEmpty ? [.hop] : parts
                options.only = sides.count == 1 ? sides.first : nil
            case "--schemas": options.schemas = value
            case "--handler":
                guard let handler = HandlerVariant(rawValue: value) else {
                    fail("--handler takes typed, nolog or untyped, got \(value)")
                }
                options.handler = handler
            case "--agentbus": options.agentbus = value
            case "--results": options.results = value
            case "--journal-events": options.journalEvents = number(minimum: 2)
            case "--journal-runs": options.journalRuns = number(minimum: 0)
            case "--journal-effects":
                let effects = value.split(separator: ",").map { Int($0) }
                guard !effects.isEmpty, effects.allSatisfy({ ($0 ?? -1) >= 0 }) else {
                    fail("--journal-effects \(value): expected whole numbers of at least 0, separated by commas")
                }
                options.journalEffects = effects.map { $0! }
            case "--journal-rate": options.journalRate = number(minimum: 1)
            case "--journal-latency-seconds": options.journalLatencySeconds = number(minimum: 0)
            case "--journal-latency-runs": options.journalLatencyRuns = number(minimum: 1)
            case "--model-latency-ms": options.modelLatency = number(minimum: 0)
            case "--model-concurrency":
                var series: [Int?] = []
                for item in value.split(separator: ",") {
                    if item == "default" {
                        series.append(nil)
                    } else if let concurrency = Int(item), concurrency >= 1 {
                        series.append(concurrency)
                    } else {
                        fail("--model-concurrency \(value): expected whole numbers of at least 1 or default, separated by commas")
                    }
                }
                guard !series.isEmpty else { fail("--model-concurrency needs at least one value") }
                options.modelConcurrency = series
            case "--model-events": options.modelEvents = number(minimum: 2)
            case "--model-runs": options.modelRuns = number(minimum: 1)
            case "--model-stub": options.modelStub = value
            case "--e2e-rates", "--e2e-seconds":
                let numbers = value.split(separator: ",").map { Int($0) }
                guard !numbers.isEmpty, numbers.allSatisfy({ ($0 ?? 0) >= 1 }) else {
                    fail("\(name) \(value): expected whole numbers of at least 1, separated by commas")
                }
                if name == "--e2e-rates" { options.e2eRates = numbers.map { $0! } } else { options.e2eSeconds = numbers.map { $0! } }
            case "--e2e-warmup-seconds": options.e2eWarmupSeconds = number(minimum: 0)
            case "--e2e-drain-seconds": options.e2eDrainSeconds = number(minimum: 0)
            case "--e2e-partitions": options.e2ePartitions = number(minimum: 1)
            case "--e2e-fetch-wait-ms": options.e2eFetchWait = number(minimum: 0)
            case "--examples": options.examples = value
            default: fail("unknown option \(name)")
            }
        }
        guard options.e2eSeconds.count == 1 || options.e2eSeconds.count == options.e2eRates.count else {
            fail("--e2e-seconds takes one value or one per --e2e-rates rate")
        }
        return options
    }

    /// The measured seconds of the e2e series at `index`.
    func e2eSeconds(at index: Int) -> Int { e2eSeconds.count == 1 ? e2eSeconds[0] : e2eSeconds[index] }

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
