// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "AgentBus",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Kafka", targets: ["Kafka"]),
        .library(name: "JSONSchema", targets: ["JSONSchema"]),
        .library(name: "AgentBus", targets: ["AgentBus"]),
        .library(name: "AgentBusReplay", targets: ["AgentBusReplay"]),
        .library(name: "AgentBusTesting", targets: ["AgentBusTesting"]),
        .library(name: "LoanEvents", targets: ["LoanEvents"]),
        .executable(name: "agentbus", targets: ["agentbus"]),
        // Embeds a target's schemas/**/*.json into its code as `EmbeddedSchemas.module`.
        .plugin(name: "AgentBusSchemaEmbedder", targets: ["AgentBusSchemaEmbedder"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-distributed-tracing", from: "1.1.0"),
        // The Prometheus text exposition of the metrics an agent serves with --http-port. Depends
        // only on swift-atomics and CoreMetrics.
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // The only target that sees C: librdkafka from the system (Debian's librdkafka-dev).
        .systemLibrary(
            name: "CRdKafka",
            pkgConfig: "rdkafka",
            providers: [.apt(["librdkafka-dev"]), .brew(["librdkafka"])]
        ),
        // Safe Swift over librdkafka: configuration, producer, consumer, admin, embedded cluster.
        .target(
            name: "Kafka",
            dependencies: [
                "CRdKafka",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // JSON and the JSON Schema (draft 2020-12) validator: parser, document, compiler, formats,
        // patterns. Knows nothing of Kafka or events.
        .target(name: "JSONSchema"),
        // What an agent author imports: envelope, typed events and their coding, the schema catalog,
        // the publisher, the Agent protocol and its runtime, the agent command line, dead letters,
        // tracing, runtime records.
        .target(
            name: "AgentBus",
            dependencies: [
                "Kafka",
                "JSONSchema",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        // Reading the event log back: topic snapshots, the causal graph of workflows, its views and
        // lint, saved logs, redrive, the dead-letter inbox. The CLI links it; agents do not.
        .target(
            name: "AgentBusReplay",
            dependencies: ["Kafka", "JSONSchema", "AgentBus"]
        ),
        // What agent authors' tests import: handlers and agents run in process without Kafka, on a
        // manual clock, with the runtime's decisions; and agents run for real on an embedded cluster.
        .target(
            name: "AgentBusTesting",
            dependencies: [
                "AgentBus", "Kafka", "JSONSchema",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The example system's event types: a loan application workflow. Their schemas are in the
        // top-level schemas/, which Examples/LoanEvents/schemas links to, so they are embedded too.
        .target(
            name: "LoanEvents",
            dependencies: ["AgentBus"],
            path: "Examples/LoanEvents",
            exclude: ["schemas"],
            plugins: ["AgentBusSchemaEmbedder"]
        ),
        // The build-tool plugin that embeds schemas, and the tool it runs (no dependencies, so it
        // builds first and fast).
        .plugin(
            name: "AgentBusSchemaEmbedder",
            capability: .buildTool(),
            dependencies: ["AgentBusSchemaEmbedderTool"],
            path: "Plugins/AgentBusSchemaEmbedder"
        ),
        .executableTarget(
            name: "AgentBusSchemaEmbedderTool",
            path: "Plugins/AgentBusSchemaEmbedderTool"
        ),
        // The command-line tool.
        .executableTarget(
            name: "agentbus",
            dependencies: [
                "Kafka",
                "JSONSchema",
                "AgentBus",
                "AgentBusReplay",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The example system's agents, one executable each, in workflow order: the template for
        // writing an agent (Examples/README.md says what each does).
        .executableTarget(
            name: "intake",
            dependencies: ["AgentBus", "LoanEvents", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Examples/intake"
        ),
        .executableTarget(
            name: "document-extraction",
            dependencies: ["AgentBus", "LoanEvents", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Examples/document-extraction"
        ),
        .executableTarget(
            name: "credit-check",
            dependencies: ["AgentBus", "LoanEvents", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Examples/credit-check"
        ),
        .executableTarget(
            name: "fraud-check",
            dependencies: ["AgentBus", "LoanEvents", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Examples/fraud-check"
        ),
        .executableTarget(
            name: "risk-scorer",
            dependencies: ["AgentBus", "LoanEvents", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Examples/risk-scorer"
        ),
        .executableTarget(
            name: "aggregator",
            dependencies: ["AgentBus", "LoanEvents", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Examples/aggregator"
        ),
        .executableTarget(
            name: "decision",
            dependencies: ["AgentBus", "LoanEvents", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Examples/decision"
        ),
        .executableTarget(
            name: "notifier",
            dependencies: ["AgentBus", "LoanEvents", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Examples/notifier"
        ),
        // The model-backed agent: explains final decisions with a language model, checked and
        // with a deterministic fallback.
        .executableTarget(
            name: "explainer",
            dependencies: [
                "AgentBus", "LoanEvents", "JSONSchema", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Examples/explainer"
        ),
        // The supervisor: watches heartbeats, dead letters and workflows, publishes alerts. Its
        // alert schema (a link to the one in schemas/) is built in.
        .executableTarget(
            name: "supervisor",
            dependencies: [
                "AgentBus",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Examples/supervisor",
            exclude: ["schemas"],
            plugins: ["AgentBusSchemaEmbedder"]
        ),
        // The benchmarks' figures as JSON Lines (`--results FILE`), which scripts/bench-report.py
        // turns into `make bench`'s one table.
        .target(
            name: "BenchmarkResults",
            path: "Benchmarks/BenchmarkResults"
        ),
        // `make bench`: the Kafka layer against raw librdkafka calls, in one process and run.
        .executableTarget(
            name: "kafka-bench",
            dependencies: ["Kafka", "CRdKafka", "BenchmarkResults"],
            path: "Benchmarks/kafka-bench"
        ),
        // `make bench`: validation and envelope speed, next to Foundation's JSON parser.
        .executableTarget(
            name: "event-bench",
            dependencies: ["JSONSchema", "AgentBus", "LoanEvents", "Kafka", "BenchmarkResults"],
            path: "Benchmarks/event-bench"
        ),
        // The agent the runtime's integration tests run as processes (roles chosen by environment).
        .executableTarget(
            name: "agentbus-test-agent",
            dependencies: ["AgentBus", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Tests/TestAgent"
        ),
        // `make bench`: one agent hop through AgentRuntime against a raw librdkafka relay, with the
        // embedded cluster in a dev-broker process of its own.
        .executableTarget(
            name: "agent-bench",
            dependencies: [
                "AgentBus", "JSONSchema", "LoanEvents", "Kafka", "CRdKafka", "BenchmarkResults",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Benchmarks/agent-bench"
        ),
        // `make bench`: replay of saved logs of 100k and 1M events, next to reading the file raw.
        .executableTarget(
            name: "replay-bench",
            dependencies: ["AgentBus", "AgentBusReplay", "JSONSchema", "Kafka", "BenchmarkResults"],
            path: "Benchmarks/replay-bench"
        ),
        .testTarget(
            name: "JSONSchemaTests",
            dependencies: ["JSONSchema"]
        ),
        .testTarget(
            name: "AgentBusTests",
            dependencies: [
                "AgentBus", "AgentBusTesting", "JSONSchema", "Kafka", "LoanEvents", "TestSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ]
        ),
        .testTarget(
            name: "AgentBusTestingTests",
            dependencies: ["AgentBusTesting", "AgentBus", "AgentBusReplay", "Kafka"]
        ),
        .testTarget(
            name: "AgentBusReplayTests",
            dependencies: ["AgentBusReplay", "AgentBus", "JSONSchema", "Kafka"]
        ),
        .testTarget(
            name: "LoanEventsTests",
            dependencies: ["LoanEvents", "AgentBus", "JSONSchema"]
        ),
        // The example agents' rules, run in process through AgentTester (no Kafka).
        .testTarget(
            name: "LoanAgentsTests",
            dependencies: [
                "AgentBus", "AgentBusTesting", "LoanEvents",
                "intake", "document-extraction", "credit-check", "fraud-check", "aggregator", "risk-scorer", "decision",
                "notifier", "explainer",
            ]
        ),
        // Test helpers: real agentbus and dev-broker processes, waited on by what they print, and the
        // stand-in OpenAI-compatible model server.
        .target(
            name: "TestSupport",
            path: "Tests/TestSupport"
        ),
        // The CLI as users run it: processes against a dev-broker process, and kcat for interop.
        .testTarget(
            name: "CLITests",
            dependencies: ["TestSupport", "AgentBus", "AgentBusReplay", "JSONSchema", "Kafka"]
        ),
        // Agents as real processes on the embedded cluster: chains, failures, crashes, redrive, replay.
        .testTarget(
            name: "AgentRuntimeTests",
            dependencies: ["TestSupport", "AgentBus", "AgentBusReplay", "JSONSchema", "Kafka", "LoanEvents"]
        ),
        .testTarget(
            name: "KafkaTests",
            dependencies: [
                "TestSupport",
                "Kafka",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
    ]
)
