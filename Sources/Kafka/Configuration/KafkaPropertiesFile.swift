import Foundation

/// A file of librdkafka properties, one `key=value` a line, in the shape of a Kafka
/// `client.properties`: blank lines and lines starting with `#` or `!` are skipped, spaces around
/// the key and the value are dropped, and the first `=` (or `:`) splits a line. A key given twice
/// keeps its last value. Unlike Java's properties files there are no escapes or continuation
/// lines: a value is the rest of its line, trimmed.
///
/// This is how a deployment hands SASL and TLS settings to a client without putting a password on
/// a command line or in an environment variable: mount the file from a secret store and name it
/// with `--kafka-config` (or `$AGENTBUS_KAFKA_CONFIG`).
public enum KafkaPropertiesFile {
    /// A line that is not `key=value`, or a file that cannot be read.
    public struct Error: Swift.Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// The properties in `text`; `source` names it in errors (`client.properties:3: ...`).
    public static func parse(_ text: String, source: String) throws(Error) -> [String: String] {
        var properties: [String: String] = [:]
        var number = 0
        // `isNewline` takes "\r\n", a single Character in Swift, as well as "\n".
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            number += 1
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix("!") { continue }
            // The line itself is not shown: it may be a password written without its key.
            guard let separator = line.firstIndex(where: { $0 == "=" || $0 == ":" }) else {
                throw Error(description: "\(source):\(number): expected key=value (a line with no \"=\")")
            }
            let key = line[..<separator].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: separator)...].trimmingCharacters(in: .whitespaces)
            guard !key.isEmpty else { throw Error(description: "\(source):\(number): a property needs a key before \"=\"") }
            properties[key] = value
        }
        return properties
    }

    /// The properties in the file at `path`.
    public static func load(path: String) throws(Error) -> [String: String] {
        guard let data = FileManager.default.contents(atPath: path) else {
            let reason = FileManager.default.fileExists(atPath: path) ? "not readable" : "no such file"
            throw Error(description: "cannot read the Kafka properties file \(path): \(reason)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw Error(description: "the Kafka properties file \(path) is not UTF-8 text")
        }
        return try parse(text, source: path)
    }
}
