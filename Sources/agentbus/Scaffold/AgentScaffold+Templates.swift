/// The contents of a new agent package's files.
extension AgentScaffold {
    var packageManifest: String {
        """
        // swift-tools-version: 6.0
        import PackageDescription

        let package = Package(
            name: "\(name)",
            platforms: [.macOS(.v15)],
            dependencies: [
                \(dependency.packageLine),
                .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
            ],
            targets: [
                // The agent and its event types. Its schemas/ are compiled into the module, so the
                // agent finds its catalog wherever it runs.
                .target(
                    name: "\(libraryName)",
                    dependencies: [.product(name: "AgentBus", package: "\(dependency.identity)")],
                    exclude: ["schemas"],
                    plugins: [.plugin(name: "AgentBusSchemaEmbedder", package: "\(dependency.identity)")]
                ),
                // The agent's executable: command-line options, then the runtime.
                .executableTarget(
                    name: "\(name)",
                    dependencies: [
                        "\(libraryName)",
                        .product(name: "AgentBus", package: "\(dependency.identity)"),
                        .product(name: "ArgumentParser", package: "swift-argument-parser"),
                    ]
                ),
                .testTarget(
                    name: "\(testTargetName)",
                    dependencies: [
                        "\(libraryName)",
                        .product(name: "AgentBusTesting", package: "\(dependency.identity)"),
                    ]
                ),
            ]
        )

        """
    }

    var agentSource: String {
        """
        import AgentBus

        /// Reads each request, sorts it by urgency, and publishes the result.
        ///
        /// Replace the rule in the handler with your own: call a model, a tool or a database
        /// (clients the agent owns are stored properties, set up in `\(commandTypeName).makeAgent`).
        public struct \(typeName): Agent {
            public let name = "\(name)"
            public let version = "0.1.0"
            public let produces = [\(resultType).eventType]

            /// Words that make a request urgent, lowercased.
            public let urgentWords: Set<String>

            public init(urgentWords: Set<String> = ["urgent", "outage", "down"]) {
                self.urgentWords = Set(urgentWords.map { $0.lowercased() })
            }

            public var handlers: [EventHandler] {
                EventHandler(\(requestType).self) { request, context in
                    let words = request.text.lowercased().split { !$0.isLetter && !$0.isNumber }
                    let urgent = words.contains { urgentWords.contains(String($0)) }
                    try context.publish(
                        \(resultType)(requestId: request.requestId, priority: urgent ? .urgent : .normal, wordCount: words.count))
                }
            }
        }

        """
    }

    var requestSource: String {
        """
        import AgentBus

        /// A request to be sorted by urgency. Schema: schemas/\(requestEventType).json.
        public struct \(requestType): TypedEvent, Equatable {
            public static let eventType = "\(requestEventType)"

            public var requestId: String
            public var text: String

            public init(requestId: String, text: String) {
                self.requestId = requestId
                self.text = text
            }

            public static var examples: [Self] { [Self(requestId: "REQ-1", text: "The checkout page is down")] }
        }

        """
    }

    var resultSource: String {
        """
        import AgentBus

        /// A request, sorted. Schema: schemas/\(resultEventType).json.
        public struct \(resultType): TypedEvent, Equatable {
            public static let eventType = "\(resultEventType)"

            public enum Priority: String, Codable, Sendable {
                case urgent, normal
            }

            public var requestId: String
            public var priority: Priority
            public var wordCount: Int

            public init(requestId: String, priority: Priority, wordCount: Int) {
                self.requestId = requestId
                self.priority = priority
                self.wordCount = wordCount
            }
        }

        """
    }

    var catalogSource: String {
        """
        import AgentBus

        extension EmbeddedSchemas {
            /// The schemas in this module's schemas/ folder, compiled in at build time.
            public static var \(catalogName): EmbeddedSchemas { .module }
        }

        """
    }

    var requestSchema: String {
        """
        {
          "$schema": "https://json-schema.org/draft/2020-12/schema",
          "$id": "https://example.com/schemas/\(requestEventType).json",
          "title": "\(typeName) requested",
          "type": "object",
          "properties": {
            "requestId": { "type": "string", "minLength": 1, "maxLength": 64 },
            "text": { "type": "string", "minLength": 1, "maxLength": 10000 }
          },
          "required": ["requestId", "text"],
          "additionalProperties": false,
          "x-agentbus-topic": "\(name).requests",
          "x-agentbus-key": "requestId",
          "examples": [{ "requestId": "REQ-1", "text": "The checkout page is down" }]
        }

        """
    }

    var resultSchema: String {
        """
        {
          "$schema": "https://json-schema.org/draft/2020-12/schema",
          "$id": "https://example.com/schemas/\(resultEventType).json",
          "title": "\(typeName) completed",
          "type": "object",
          "properties": {
            "requestId": { "type": "string", "minLength": 1, "maxLength": 64 },
            "priority": { "type": "string", "enum": ["urgent", "normal"] },
            "wordCount": { "type": "integer", "minimum": 0 }
          },
          "required": ["requestId", "priority", "wordCount"],
          "additionalProperties": false,
          "x-agentbus-topic": "\(name).results",
          "x-agentbus-key": "requestId",
          "examples": [{ "requestId": "REQ-1", "priority": "urgent", "wordCount": 5 }]
        }

        """
    }

    var commandSource: String {
        """
        import AgentBus
        import ArgumentParser
        import \(libraryName)

        /// `\(name) --help` lists the options below next to the runtime's (brokers, instance ID,
        /// concurrency, …), each with its environment variable.
        @main
        struct \(commandTypeName): AgentCommand {
            static let configuration = CommandConfiguration(
                commandName: "\(name)", abstract: "Sorts requests by urgency (the \(name) agent).")

            @OptionGroup var runtime: AgentOptions

            @Option(help: "Comma-separated words that make a request urgent. Default: $\(environmentPrefix)_URGENT_WORDS, then urgent,outage,down.")
            var urgentWords: String?

            var embeddedSchemas: EmbeddedSchemas? { .\(catalogName) }

            func makeAgent(services: inout AgentServices) async throws -> \(typeName) {
                guard let words = try urgentWords ?? AgentEnvironment.value("\(environmentPrefix)_URGENT_WORDS", as: String.self) else {
                    return \(typeName)()
                }
                return \(typeName)(urgentWords: Set(words.split(separator: ",").map(String.init)))
            }
        }

        """
    }

    var testSource: String {
        """
        import AgentBusTesting
        import Testing
        import \(libraryName)

        @Suite("\(typeName)")
        struct \(typeName)Tests {
            @Test("a request that mentions an outage is urgent")
            func urgent() async throws {
                let tester = try AgentTester(\(typeName)(), schemas: .\(catalogName))
                let result = try await tester.handle(\(requestType)(requestId: "REQ-1", text: "The checkout page is down"))
                #expect(try result.published(\(resultType).self) == [\(resultType)(requestId: "REQ-1", priority: .urgent, wordCount: 5)])
                #expect(result.deadLetter == nil)
            }

            @Test("other requests are normal")
            func normal() async throws {
                let tester = try AgentTester(\(typeName)(), schemas: .\(catalogName))
                let result = try await tester.handle(\(requestType)(requestId: "REQ-2", text: "Please rename my account"))
                #expect(try result.published(\(resultType).self).map(\\.priority) == [.normal])
            }
        }

        """
    }

    var readme: String {
        """
        # \(name)

        An [AgentBus](https://github.com/agentbus/agentbus) agent: it reads `\(requestEventType)` events from the \
        `\(name).requests` topic and publishes `\(resultEventType)` to `\(name).results`.

        | path | what |
        |---|---|
        | `Sources/\(libraryName)/\(typeName).swift` | the agent and its handler: edit the rule here |
        | `Sources/\(libraryName)/schemas/` | the event schemas (the source of truth), compiled into the agent |
        | `Sources/\(libraryName)/\(requestType).swift`, `\(resultType).swift` | their Swift types |
        | `Sources/\(name)/\(commandTypeName).swift` | the executable: its own options next to the runtime's |
        | `Tests/\(testTargetName)/` | tests on AgentBusTesting: no Kafka needed |

        ## Test

        ```sh
        swift test                # debug
        swift test -c release     # release
        ```

        ## Run

        In one terminal, the embedded Kafka cluster of the `agentbus` CLI, with this agent's topics:

        ```sh
        agentbus dev-broker --schemas Sources/\(libraryName)/schemas --agent \(name)
        ```

        In another, the agent (from any directory; its schemas are compiled in):

        ```sh
        swift run \(name) --help
        swift run \(name)
        ```

        And in a third, an event in and the result out:

        ```sh
        agentbus publish \(requestEventType) --schemas Sources/\(libraryName)/schemas \\
          --data '{"requestId": "REQ-1", "text": "The checkout page is down"}'
        agentbus tail \(name).results --from-beginning --schemas Sources/\(libraryName)/schemas
        ```

        Against real Kafka, give the agent `--brokers HOST:PORT` (or `AGENTBUS_BROKERS`) and create its \
        topics with `agentbus topics create --agent \(name) --schemas Sources/\(libraryName)/schemas`.

        """
    }
}
