import AgentBus
import ArgumentParser
import Foundation
import Testing

@Suite("Connection options: --kafka-config and -X")
struct ConnectionOptionsTests {
    static func file(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("agentbus-\(UUID().uuidString).properties").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("the file's properties apply, and -X wins over them")
    func fileThenProperties() throws {
        let path = try Self.file("security.protocol=SASL_SSL\nsasl.mechanism=SCRAM-SHA-512\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let options = try ConnectionOptions.parse(["--kafka-config", path, "-X", "sasl.mechanism=PLAIN"])
        let properties = try options.librdkafkaProperties(environment: [:])
        #expect(properties == ["security.protocol": "SASL_SSL", "sasl.mechanism": "PLAIN"])
    }

    @Test("$AGENTBUS_KAFKA_CONFIG names the file when the flag does not")
    func environment() throws {
        let path = try Self.file("security.protocol=SSL\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let options = try ConnectionOptions.parse([])
        #expect(try options.librdkafkaProperties(environment: ["AGENTBUS_KAFKA_CONFIG": path]) == ["security.protocol": "SSL"])
        #expect(try options.librdkafkaProperties(environment: [:]) == [:])
    }

    @Test("a missing or malformed file is a usage error of one line, at parse time")
    func badFile() throws {
        #expect(throws: (any Error).self) { _ = try ConnectionOptions.parse(["--kafka-config", "/nonexistent/client.properties"]) }
        let path = try Self.file("security.protocol SSL\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let error = #expect(throws: ValidationError.self) {
            _ = try ConnectionOptions.parse([]).librdkafkaProperties(environment: ["AGENTBUS_KAFKA_CONFIG": path])
        }
        #expect(error?.message == "\(path):1: expected key=value (a line with no \"=\")")
    }
}
