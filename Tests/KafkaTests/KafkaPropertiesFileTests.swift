import Foundation
import Kafka
import Testing

@Suite("Kafka properties files")
struct KafkaPropertiesFileTests {
    @Test("key=value lines; comments, blank lines and spaces skipped; the last of a key wins")
    func parses() throws {
        let text = """
            # SASL
            ! also a comment
            security.protocol = SASL_SSL

              sasl.mechanism:SCRAM-SHA-512\r
            sasl.password=p=ss:word
            sasl.mechanism=PLAIN
            """
        let properties = try KafkaPropertiesFile.parse(text, source: "client.properties")
        #expect(properties == ["security.protocol": "SASL_SSL", "sasl.mechanism": "PLAIN", "sasl.password": "p=ss:word"])
    }

    @Test("a line that is not key=value is named by file and line, and not shown: it may be a secret")
    func badLine() {
        let error = #expect(throws: KafkaPropertiesFile.Error.self) {
            _ = try KafkaPropertiesFile.parse("security.protocol=SSL\nsasl.password hunter2\n", source: "client.properties")
        }
        #expect(error?.description == "client.properties:2: expected key=value (a line with no \"=\")")
        #expect(error?.description.contains("hunter2") == false)
        let noKey = #expect(throws: KafkaPropertiesFile.Error.self) {
            _ = try KafkaPropertiesFile.parse("=x", source: "f")
        }
        #expect(noKey?.description == "f:1: a property needs a key before \"=\"")
    }

    @Test("a missing file is one line naming it")
    func missingFile() {
        let error = #expect(throws: KafkaPropertiesFile.Error.self) {
            _ = try KafkaPropertiesFile.load(path: "/nonexistent/client.properties")
        }
        #expect(error?.description == "cannot read the Kafka properties file /nonexistent/client.properties: no such file")
    }
}
