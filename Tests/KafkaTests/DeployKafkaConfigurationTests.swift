import Foundation
import Kafka
import Testing

/// deploy/kafka/*.properties, the configurations the deployment docs give for managed clusters,
/// as librdkafka takes them: every key known, every value valid, and the TLS files they name
/// loaded (librdkafka reads them when the client is created). No broker speaks SASL or TLS here,
/// so what is checked is everything short of the handshake.
@Suite("Managed-cluster client configurations")
struct DeployKafkaConfigurationTests {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("deploy/kafka")
    /// Where the files expect the mounted secret's CA, certificate and key.
    static let secretDirectory = "/etc/agentbus/kafka/"

    @Test("each of deploy/kafka's files makes a producer and a consumer", arguments: ["sasl-scram", "sasl-plain", "mtls"])
    func accepted(name: String) async throws {
        let scratch = try Self.makeCertificates()
        defer { try? FileManager.default.removeItem(at: scratch) }
        var properties = try KafkaPropertiesFile.load(path: Self.directory.appendingPathComponent("\(name).properties").path)
        for (key, value) in properties where value.hasPrefix(Self.secretDirectory) {
            properties[key] = scratch.appendingPathComponent(String(value.dropFirst(Self.secretDirectory.count))).path
        }
        #expect(properties["security.protocol"]?.hasSuffix("SSL") == true)
        // Nothing listens on port 9 (discard): creating the clients connects to nothing yet.
        let producer = try KafkaProducer(configuration: .init(bootstrapServers: ["127.0.0.1:9"], properties: properties))
        try await producer.close(timeout: .seconds(2))
        let consumer = try KafkaConsumer(
            configuration: .init(bootstrapServers: ["127.0.0.1:9"], groupID: "check", properties: properties))
        try await consumer.close(timeout: .seconds(2))
    }

    @Test("a CA file that is not there fails at creation, naming it")
    func missingCA() throws {
        var properties = try KafkaPropertiesFile.load(path: Self.directory.appendingPathComponent("mtls.properties").path)
        properties["ssl.ca.location"] = "/nonexistent/ca.pem"
        let error = #expect(throws: KafkaError.self) {
            _ = try KafkaProducer(configuration: .init(bootstrapServers: ["127.0.0.1:9"], properties: properties))
        }
        #expect(error?.code == .configuration)
        #expect(error?.message.contains("ssl.ca.location") == true, "\(error?.message ?? "")")
    }

    @Test("a SASL mechanism librdkafka does not have is refused")
    func unknownMechanism() throws {
        var properties = try KafkaPropertiesFile.load(path: Self.directory.appendingPathComponent("sasl-plain.properties").path)
        properties["sasl.mechanism"] = "SCRAM-SHA-999"
        #expect(throws: KafkaError.self) {
            _ = try KafkaProducer(configuration: .init(bootstrapServers: ["127.0.0.1:9"], properties: properties))
        }
    }

    /// A CA, and a client certificate and key it signed, made with openssl in a scratch directory:
    /// ca.pem, client.pem, client.key.
    static func makeCertificates() throws -> URL {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("agentbus-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        let steps = [
            ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=agentbus-test-ca",
             "-keyout", "ca.key", "-out", "ca.pem"],
            ["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=credit-check", "-keyout", "client.key", "-out", "client.csr"],
            ["x509", "-req", "-in", "client.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-days", "1",
             "-out", "client.pem"],
        ]
        for arguments in steps {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["openssl"] + arguments
            process.currentDirectoryURL = scratch
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "openssl \(arguments[0]) failed"])
            }
        }
        return scratch
    }
}
