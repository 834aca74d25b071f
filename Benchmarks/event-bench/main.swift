import AgentBus
import BenchmarkResults
import Foundation
import Kafka
import LoanEvents

// `make bench`: how fast AgentBus validates payloads, encodes and decodes envelopes, and encodes
// and decodes typed payloads, on one core, next to Foundation's JSON parser and coders on the
// same bytes (the machine is noisy, so the reference runs in the same process, interleaved, and
// the ratio is what to compare).

//   event-bench [SCHEMA-DIR [ONLY]] [--quick] [--results FILE]
//     --quick         runs of 200 ms instead of 700 (`make bench-quick`)
//     --results FILE  append the summary's figures to FILE, one JSON object a line (`make bench`)

var positional: [String] = []
/// Where the summary's figures go as JSON Lines, for `make bench`'s table.
var resultsPath: String?
var quick = false
do {
    var rest = CommandLine.arguments.dropFirst()
    while let argument = rest.popFirst() {
        switch argument {
        case "--quick": quick = true
        case "--results":
            guard let path = rest.popFirst() else {
                FileHandle.standardError.write(Data("event-bench: --results needs a file\n".utf8))
                exit(2)
            }
            resultsPath = path
        case "--help", "-h":
            print("usage: event-bench [SCHEMA-DIR [ONLY]] [--quick] [--results FILE]")
            exit(0)
        default: positional.append(argument)
        }
    }
}
let schemaDirectory = positional.first ?? "schemas"
/// Optional: run only the cases whose name contains this (for profiling one of them).
let only = positional.dropFirst().first
let rounds = 3
let duration = Duration.milliseconds(quick ? 200 : 700)

let registry: SchemaRegistry
do {
    registry = try SchemaRegistry.load(directory: schemaDirectory)
} catch {
    FileHandle.standardError.write(Data("event-bench: \(error)\n".utf8))
    exit(1)
}
let type = CreditChecked.eventType
let schema = registry.eventSchema(for: type)!
let payload = Array(schema.examples[0].jsonText.utf8)
precondition(schema.validator.isValid(payload), "the sample must be valid")

/// Runs `body` in batches until `duration` has passed; returns operations per second.
func measure(_ body: () -> Int) -> Double {
    let clock = ContinuousClock()
    let start = clock.now
    var operations = 0
    while clock.now - start < duration { operations += body() }
    let elapsed = clock.now - start
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    return Double(operations) / seconds
}

let batch = 1_000
var sink = 0

// Typed payloads: AgentBus's own coders (`jsonPayload()`, `init(jsonPayload:)`) next to
// Foundation's with the same conventions, set up as `EventCoding` set them up before (one coder
// reused here, where the library made one per call; the Data copies are what it did too).
let foundationEncoder: JSONEncoder = {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    encoder.dateEncodingStrategy = .custom { date, encoder in
        var container = encoder.singleValueContainer()
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        try container.encode(EventTime(millisecondsSinceEpoch: milliseconds).description)
    }
    return encoder
}()
let foundationDecoder: JSONDecoder = {
    let decoder = JSONDecoder()
    decoder.dateDecodingStrategy = .custom { decoder in
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let time = EventTime(rfc3339: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not RFC 3339")
        }
        return Date(timeIntervalSince1970: Double(time.millisecondsSinceEpoch) / 1000)
    }
    return decoder
}()
let credit = CreditChecked.examples[0]
let creditPayload = try! credit.jsonPayload()
let risk = RiskScored.examples[0]
let riskPayload = try! risk.jsonPayload()
precondition(creditPayload == [UInt8](try! foundationEncoder.encode(credit)), "the encoders must agree")
precondition(riskPayload == [UInt8](try! foundationEncoder.encode(risk)), "the encoders must agree")
precondition(try! CreditChecked(jsonPayload: creditPayload) == credit && (try! RiskScored(jsonPayload: riskPayload)) == risk)

/// Pairs of cases (AgentBus, Foundation) whose ratio is printed at the end.
let typedPairs = [
    ("typed decode CreditChecked", "Foundation decode CreditChecked"),
    ("typed encode CreditChecked", "Foundation encode CreditChecked"),
    ("typed decode RiskScored", "Foundation decode RiskScored"),
    ("typed encode RiskScored", "Foundation encode RiskScored"),
]

let allCases: [(name: String, body: () -> Int)] = [
    ("validate (parse + validate)", {
        for _ in 0..<batch where schema.validator.isValid(payload) { sink &+= 1 }
        return batch
    }),
    ("Foundation JSONSerialization parse only", {
        let data = Data(payload)
        for _ in 0..<batch where (try? JSONSerialization.jsonObject(with: data)) != nil { sink &+= 1 }
        return batch
    }),
    ("typed decode CreditChecked", {
        for _ in 0..<batch where (try? CreditChecked(jsonPayload: creditPayload)) != nil { sink &+= 1 }
        return batch
    }),
    ("Foundation decode CreditChecked", {
        for _ in 0..<batch / 10 where (try? foundationDecoder.decode(CreditChecked.self, from: Data(creditPayload))) != nil { sink &+= 1 }
        return batch / 10
    }),
    ("typed encode CreditChecked", {
        for _ in 0..<batch { sink &+= (try? credit.jsonPayload())?.count ?? 0 }
        return batch
    }),
    ("Foundation encode CreditChecked", {
        for _ in 0..<batch / 10 { sink &+= (try? [UInt8](foundationEncoder.encode(credit)))?.count ?? 0 }
        return batch / 10
    }),
    ("typed decode RiskScored", {
        for _ in 0..<batch where (try? RiskScored(jsonPayload: riskPayload)) != nil { sink &+= 1 }
        return batch
    }),
    ("Foundation decode RiskScored", {
        for _ in 0..<batch / 10 where (try? foundationDecoder.decode(RiskScored.self, from: Data(riskPayload))) != nil { sink &+= 1 }
        return batch / 10
    }),
    ("typed encode RiskScored", {
        for _ in 0..<batch { sink &+= (try? risk.jsonPayload())?.count ?? 0 }
        return batch
    }),
    ("Foundation encode RiskScored", {
        for _ in 0..<batch / 10 { sink &+= (try? [UInt8](foundationEncoder.encode(risk)))?.count ?? 0 }
        return batch / 10
    }),
    ("envelope encode (child + headers)", {
        let parent = EventEnvelope.root(type: ApplicationReceived.eventType, source: "/cli", data: payload)
        for index in 0..<batch {
            let child = parent.child(type: type, data: payload, agent: "credit-check", index: index)
            sink &+= child.kafkaHeaders.count
        }
        return batch
    }),
    ("envelope decode (record -> envelope)", {
        let record = KafkaRecord(
            topic: "loan.checks", key: Array("k".utf8), value: payload,
            headers: EventEnvelope.root(type: type, source: "/cli", data: payload).kafkaHeaders)
        for _ in 0..<batch where (try? EventEnvelope(record: record)) != nil { sink &+= 1 }
        return batch
    }),
]

let cases = allCases.filter { only == nil || $0.name.contains(only!) }
print("event-bench: \(type) sample, \(payload.count) bytes (typed: CreditChecked \(creditPayload.count), RiskScored \(riskPayload.count)); best of \(rounds) runs of \(duration) each, one core")
var best = Array(repeating: 0.0, count: cases.count)
for round in 1...rounds {
    for (index, entry) in cases.enumerated() {
        let rate = measure(entry.body)
        best[index] = max(best[index], rate)
        print("  run \(round)  \(entry.name.padding(toLength: 42, withPad: " ", startingAt: 0)) \(Int(rate)) /s")
    }
}
print("")
print("results (best of \(rounds)):")
for (index, entry) in cases.enumerated() {
    print("  \(entry.name.padding(toLength: 42, withPad: " ", startingAt: 0)) \(String(format: "%10.0f", best[index])) /s")
}
if only == nil {
    print(String(format: "  validation vs Foundation parse-only: %.1fx; goal 500k validations/s: %@",
        best[0] / best[1], best[0] >= 500_000 ? "met" : "not met"))
}
let rates = Dictionary(uniqueKeysWithValues: zip(cases.map(\.name), best))
for (ours, theirs) in typedPairs {
    guard let new = rates[ours], let old = rates[theirs] else { continue }
    print(String(format: "  %@: %.2f µs vs Foundation %.2f µs, %.1fx faster; goal 3x: %@",
        ours, 1e6 / new, 1e6 / old, new / old, new >= 3 * old ? "met" : "not met"))
}
if let resultsPath {
    let detail = "best of \(rounds) runs of \(duration), one core"
    var figures: [BenchmarkFigure] = []
    if let validate = rates["validate (parse + validate)"] {
        figures.append(BenchmarkFigure(
            group: "events", figure: "parse + validate \(payload.count) B", value: validate.rounded(), unit: "/s",
            better: .higher,
            baseline: rates["Foundation JSONSerialization parse only"].map { ("Foundation JSONSerialization, parse only", $0.rounded()) },
            detail: detail + "; the \(type) sample"))
    }
    for (ours, theirs) in typedPairs {
        guard let new = rates[ours] else { continue }
        let what = ours.hasPrefix("typed decode") ? "JSONDecoder" : "JSONEncoder"
        let bytes = ours.hasSuffix("CreditChecked") ? creditPayload.count : riskPayload.count
        figures.append(BenchmarkFigure(
            group: "events", figure: "\(ours) (\(bytes) B)", value: 1e6 / new, unit: "µs", better: .lower,
            baseline: rates[theirs].map { ("Foundation \(what)", 1e6 / $0) }, detail: detail))
    }
    for name in ["envelope encode (child + headers)", "envelope decode (record -> envelope)"] {
        guard let value = rates[name] else { continue }
        figures.append(BenchmarkFigure(
            group: "events", figure: name, value: value.rounded(), unit: "/s", better: .higher, baseline: nil,
            detail: detail + "; no baseline: nothing outside AgentBus builds its envelope"))
    }
    do {
        try BenchmarkResultsFile(path: resultsPath).append(figures)
    } catch {
        FileHandle.standardError.write(Data("event-bench: \(error)\n".utf8))
        exit(1)
    }
}
if sink == 42 { print("") }
