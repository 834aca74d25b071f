#if canImport(Glibc)
import Glibc
#endif

/// The command line: `kafka-bench [--quick] [--messages N] [--runs R] [--linger-ms L] [--results FILE]`.
struct Options {
    var messages = 500_000
    var runs = 3
    var lingerMilliseconds = 20
    /// Where to append the summary's figures as JSON Lines (`make bench`'s table); nil: nowhere.
    var results: String?

    static let usage = """
        usage: kafka-bench [--quick] [--messages N] [--runs R] [--linger-ms L] [--results FILE]
          --quick         smaller runs for `make bench-quick`: --messages 200000 --runs 1 (options after it override)
          --messages N    messages per run (default 500000)
          --runs R        runs of each measurement, alternating raw and Swift (default 3)
          --linger-ms L   linger.ms of both producers (default 20)
          --results FILE  append the summary's figures to FILE, one JSON object a line
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
                options.messages = 200_000
                options.runs = 1
                continue
            }
            if name == "--results" {
                guard let value = inlineValue ?? rest.popFirst() else { fail("--results needs a file") }
                options.results = value
                continue
            }
            guard let value = inlineValue ?? rest.popFirst(), let number = Int(value), number > 0 else {
                fail("\(argument): expected a positive number")
            }
            switch name {
            case "--messages": options.messages = number
            case "--runs": options.runs = number
            case "--linger-ms": options.lingerMilliseconds = number
            default: fail("unknown option \(name)")
            }
        }
        return options
    }

    /// `--name=value` → (`--name`, `value`); `--name` → (`--name`, nil).
    private static func split(_ argument: String) -> (String, String?) {
        guard let equals = argument.firstIndex(of: "=") else { return (argument, nil) }
        return (String(argument[..<equals]), String(argument[argument.index(after: equals)...]))
    }

    private static func fail(_ message: String) -> Never {
        var standardError = StandardError()
        print("kafka-bench: \(message)\n\(usage)", to: &standardError)
        exit(2)
    }
}

struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        var string = string
        string.withUTF8 { _ = Glibc.write(2, $0.baseAddress, $0.count) }
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// How long a consumer may take to receive every record before the run is abandoned.
let consumeTimeout = Duration.seconds(120)

/// Keeps a value the optimiser would otherwise prove unused.
@inline(never)
func blackHole(_ value: Int) {
    if value == Int.min { print("") }
}
