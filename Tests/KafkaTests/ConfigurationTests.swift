import Kafka
import Testing

@Suite("Configuration errors are clear")
struct ConfigurationTests {
    @Test("an unknown property is named in the error")
    func unknownProperty() {
        let error = #expect(throws: KafkaError.self) {
            _ = try KafkaProducer(configuration: .init(bootstrapServers: ["localhost:9092"], properties: ["no.such.thing": "1"]))
        }
        #expect(error?.code == .configuration)
        #expect(error?.message == "unknown configuration property \"no.such.thing\" (see librdkafka's CONFIGURATION.md for valid names)")
    }

    @Test("an invalid value names the property and the value")
    func invalidValue() {
        let error = #expect(throws: KafkaError.self) {
            _ = try KafkaConsumer(configuration: .init(bootstrapServers: ["localhost:9092"], groupID: "g", properties: ["session.timeout.ms": "soon"]))
        }
        #expect(error?.code == .configuration)
        #expect(error?.message.hasPrefix("invalid value \"soon\" for configuration property \"session.timeout.ms\"") == true)
    }

    @Test("cooperative assignors are refused: rebalances are handled as eager ones")
    func cooperativeRefused() {
        let error = #expect(throws: KafkaError.self) {
            _ = try KafkaConsumer(configuration: .init(
                bootstrapServers: ["localhost:9092"], groupID: "g",
                properties: ["partition.assignment.strategy": "cooperative-sticky"]))
        }
        #expect(error?.code == .configuration)
        #expect(error?.message.contains("cooperative-sticky is not supported") == true)
    }

    @Test("secrets never appear in errors or descriptions")
    func secretsAreRedacted() {
        let password: KafkaSecret = "hunter2-very-secret"
        #expect("\(password)" == "[redacted]")
        let security = KafkaSecurity(protocol: .saslSSL, sasl: .init(mechanism: .scramSHA512, username: "agent", password: password))
        #expect(!"\(security)".contains("hunter2"))
        let error = #expect(throws: KafkaError.self) {
            _ = try KafkaProducer(configuration: .init(
                bootstrapServers: ["localhost:9092"], security: security,
                properties: ["ssl.key.password": "hunter2-very-secret", "sasl.mechanism": "NOT-A-MECHANISM"]))
        }
        #expect(error != nil)
        #expect(error?.message.contains("hunter2") == false)
    }

    @Test("an empty bootstrap list or group is rejected up front")
    func emptySettings() {
        let noBrokers = #expect(throws: KafkaError.self) { _ = try KafkaProducer(configuration: .init(bootstrapServers: [" "])) }
        #expect(noBrokers?.message.contains("bootstrap.servers is empty") == true)
        let noGroup = #expect(throws: KafkaError.self) {
            _ = try KafkaConsumer(configuration: .init(bootstrapServers: ["localhost:9092"], groupID: ""))
        }
        #expect(noGroup?.message.contains("a consumer needs a group") == true)
    }

    @Test("an unreachable bootstrap gives a timeout that says why")
    func unreachableBootstrap() async throws {
        // Port 1 on loopback: nothing listens there, so every connection is refused at once.
        let producer = try KafkaProducer(configuration: .init(bootstrapServers: ["127.0.0.1:1"], deliveryTimeout: .seconds(2)))
        let error = await #expect(throws: KafkaError.self) { try await producer.send(topic: "nowhere", value: "x") }
        #expect(error?.code == .timedOut)
        #expect(error?.message.contains("Connection refused") == true, "\(error?.message ?? "")")
        try? await producer.close(timeout: .seconds(1))

        let admin = try KafkaAdmin(configuration: .init(bootstrapServers: ["127.0.0.1:1"]))
        let adminError = await #expect(throws: KafkaError.self) { _ = try await admin.topics(timeout: .seconds(2)) }
        #expect(adminError?.message.hasPrefix("no broker at 127.0.0.1:1 answered within 2.0 seconds") == true, "\(adminError?.message ?? "")")
    }
}
