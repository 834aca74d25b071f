import AgentBus
import Foundation
@_spi(ParsedDocument) import JSONSchema
import Kafka

/// The saved replay log (`agentbus replay --save run.jsonl`): JSON Lines, one Kafka record per
/// line after a first line of ``ReplayLogMetadata``.
///
/// A record line keeps everything a consumer saw, so a saved log replays, lints and redrives
/// exactly as the cluster did:
///
///     {"topic":"loan.applications","partition":0,"offset":12,"timestamp":1763712930123,
///      "key":"a-17","headers":[["ce_id","…"],["kafka_dlt-original-offset",{"base64":"AAAAAAAAAAw="}]],
///      "value":{"amount":1200}}
///
/// Text that is UTF-8 is written as a JSON string, other bytes as `{"base64": …}`, a null header
/// value as `null`. A value that is JSON on one line is embedded as is (readable, and read back
/// byte for byte); otherwise it is `"valueText"` or `"valueBase64"`. The value comes last, so
/// its bytes are the rest of the line.
enum ReplayLogFormat {
    static let formatName = "agentbus-replay-log"
    static let version = 1

    // MARK: Writing

    static func headerLine(_ metadata: ReplayLogMetadata) -> [UInt8] {
        var out: [UInt8] = []
        out.append(contentsOf: #"{"format":"\#(formatName)","version":\#(version),"readAt":\#(metadata.readAt),"source":"#.utf8)
        JSONBytesWriter.appendString(metadata.source, to: &out)
        out.append(contentsOf: #","embeddedCluster":\#(metadata.embeddedCluster),"since":"#.utf8)
        appendOptional(metadata.since, to: &out)
        out.append(contentsOf: #","until":"#.utf8)
        appendOptional(metadata.until, to: &out)
        out.append(contentsOf: #","partitions":["#.utf8)
        for (index, range) in metadata.partitions.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out.append(UInt8(ascii: "["))
            JSONBytesWriter.appendString(range.topic, to: &out)
            out.append(contentsOf: ",\(range.partition),\(range.low),\(range.high),\(range.readFrom)]".utf8)
        }
        out.append(contentsOf: "]}\n".utf8)
        return out
    }

    /// Appends `record` as one line, newline included.
    static func appendLine(for record: KafkaRecord, to out: inout [UInt8]) {
        out.append(contentsOf: #"{"topic":"#.utf8)
        JSONBytesWriter.appendString(record.topic, to: &out)
        out.append(contentsOf: #","partition":\#(record.partition),"offset":\#(record.offset)"#.utf8)
        if let timestamp = record.timestamp {
            out.append(contentsOf: #","timestamp":\#(timestamp.millisecondsSince1970)"#.utf8)
        }
        if let key = record.key {
            out.append(contentsOf: #","key":"#.utf8)
            key.withUnsafeBytes { appendBytes($0, to: &out) }
        }
        out.append(contentsOf: #","headers":["#.utf8)
        for (index, header) in record.headers.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out.append(UInt8(ascii: "["))
            JSONBytesWriter.appendString(header.name, to: &out)
            out.append(UInt8(ascii: ","))
            if let value = header.value {
                value.withUnsafeBytes { appendBytes($0, to: &out) }
            } else {
                out.append(contentsOf: "null".utf8)
            }
            out.append(UInt8(ascii: "]"))
        }
        out.append(UInt8(ascii: "]"))
        record.value.withUnsafeBytes { value in
            let isJSON = !value.isEmpty && !value.contains(0x0A) && !value.contains(0x0D)
                && (try? JSONDocument.withParsed(value.assumingMemoryBound(to: UInt8.self)) { _ in true }) == true
            if isJSON {
                out.append(contentsOf: #","value":"#.utf8)
                out.append(contentsOf: value)
            } else if let _ = String(validating: value, as: UTF8.self) {
                out.append(contentsOf: #","valueText":"#.utf8)
                JSONBytesWriter.appendString(value, to: &out)
            } else {
                out.append(contentsOf: #","valueBase64":""#.utf8)
                out.append(contentsOf: Data(value).base64EncodedString().utf8)
                out.append(UInt8(ascii: "\""))
            }
        }
        out.append(contentsOf: "}\n".utf8)
    }

    private static func appendOptional(_ text: String?, to out: inout [UInt8]) {
        if let text { JSONBytesWriter.appendString(text, to: &out) } else { out.append(contentsOf: "null".utf8) }
    }

    /// A JSON string when `bytes` are UTF-8, else `{"base64":"…"}`.
    private static func appendBytes(_ bytes: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        if String(validating: bytes, as: UTF8.self) != nil {
            JSONBytesWriter.appendString(bytes, to: &out)
        } else {
            out.append(contentsOf: #"{"base64":""#.utf8)
            out.append(contentsOf: Data(bytes).base64EncodedString().utf8)
            out.append(contentsOf: #""}"#.utf8)
        }
    }

    // MARK: Reading

    /// Reads the first line; throws when it is not a replay log's.
    static func parseHeader(_ line: UnsafeBufferPointer<UInt8>) throws(ReplayLogError) -> ReplayLogMetadata {
        let metadata: ReplayLogMetadata? = try? JSONDocument.withParsed(line) { document -> ReplayLogMetadata? in
            guard case .object(let object) = document.value(), case .string(formatName)? = object["format"] else {
                return nil
            }
            func text(_ key: String) -> String? { if case .string(let value)? = object[key] { value } else { nil } }
            func number(_ key: String) -> Int64? { if case .number(let value)? = object[key] { Int64(value.text) } else { nil } }
            var partitions: [ReplayPartitionRange] = []
            if case .array(let ranges)? = object["partitions"] {
                for case .array(let fields) in ranges {
                    guard fields.count == 5, case .string(let topic) = fields[0], case .number(let partition) = fields[1],
                        case .number(let low) = fields[2], case .number(let high) = fields[3],
                        case .number(let readFrom) = fields[4]
                    else { continue }
                    guard let partition = Int32(partition.text), let low = Int64(low.text), let high = Int64(high.text),
                        let readFrom = Int64(readFrom.text)
                    else { continue }
                    partitions.append(ReplayPartitionRange(
                        topic: topic, partition: partition, low: low, high: high, readFrom: readFrom))
                }
            }
            var embedded = false
            if case .bool(let value)? = object["embeddedCluster"] { embedded = value }
            return ReplayLogMetadata(
                readAt: number("readAt") ?? 0, source: text("source") ?? "saved log", embeddedCluster: embedded,
                since: text("since"), until: text("until"), partitions: partitions)
        } ?? nil
        guard let metadata else {
            throw ReplayLogError("not an AgentBus replay log (its first line is not {\"format\":\"\(formatName)\",...}); save one with agentbus replay --save")
        }
        return metadata
    }

    /// Parses record lines into ``KafkaRecord``s, reusing its buffers from line to line.
    struct LineReader {
        private var nodes: UnsafeMutableBufferPointer<JSONNode>
        private var builder = KafkaRecordBuilder()
        private var topics: [(bytes: [UInt8], name: String)] = []
        private var scratch: [UInt8] = []

        init() { nodes = .allocate(capacity: 4096) }

        mutating func deallocate() { nodes.deallocate() }

        /// One record line (without its newline). Throws a one-line reason when it is not one.
        mutating func record(_ line: UnsafeBufferPointer<UInt8>) throws(ReplayLogError) -> KafkaRecord {
            if nodes.count < JSONParser.nodeCapacity(forByteCount: line.count) {
                nodes.deallocate()
                nodes = .allocate(capacity: JSONParser.nodeCapacity(forByteCount: line.count))
            }
            let count: Int
            do {
                count = try JSONParser.parse(line, into: nodes)
            } catch {
                throw ReplayLogError("not JSON (\(error.reason) at byte \(error.offset))")
            }
            let document = JSONDocument(input: line, nodes: UnsafeBufferPointer(rebasing: nodes[0..<count]))
            guard document[0].kind == .object else { throw ReplayLogError("not a JSON object") }
            builder.reset()
            var topic: String?
            var partition: Int32?
            var offset: Int64?
            var timestamp: KafkaTimestamp?
            var hasValue = false
            var member = 1
            for _ in 0..<Int(document[0].length) {
                let valueIndex = member + 1
                let node = document[valueIndex]
                let next = node.kind == .object || node.kind == .array ? Int(node.end) : valueIndex + 1
                let key = document.withString(member) { String(decoding: $0, as: UTF8.self) }
                switch key {
                case "topic":
                    guard node.kind == .string else { throw ReplayLogError("\"topic\" is not a string") }
                    topic = document.withString(valueIndex) { topicName($0) }
                case "partition":
                    guard node.kind == .number, let value = Int32(exactly: document.number(valueIndex)) else {
                        throw ReplayLogError("\"partition\" is not a whole number")
                    }
                    partition = value
                case "offset":
                    guard node.kind == .number, let value = Int64(exactly: document.number(valueIndex)) else {
                        throw ReplayLogError("\"offset\" is not a whole number")
                    }
                    offset = value
                case "timestamp":
                    guard node.kind == .number, let value = Int64(exactly: document.number(valueIndex)) else {
                        throw ReplayLogError("\"timestamp\" is not a whole number")
                    }
                    timestamp = KafkaTimestamp(millisecondsSince1970: value, kind: .createTime)
                case "key":
                    try Self.withBytes(document, valueIndex, field: "key") { builder.setKey($0) }
                case "headers":
                    guard node.kind == .array else { throw ReplayLogError("\"headers\" is not an array") }
                    var element = valueIndex + 1
                    for _ in 0..<Int(node.length) {
                        let pair = document[element]
                        guard pair.kind == .array, pair.length == 2, document[element + 1].kind == .string else {
                            throw ReplayLogError("a header is not a [name, value] pair")
                        }
                        let valueNode = element + 2
                        let failure: ReplayLogError? = document.withString(element + 1) { name -> ReplayLogError? in
                            if document[valueNode].kind == .null {
                                builder.appendHeader(name: UnsafeRawBufferPointer(name), value: nil)
                                return nil
                            }
                            do {
                                try Self.withBytes(document, valueNode, field: "header value") { value in
                                    builder.appendHeader(name: UnsafeRawBufferPointer(name), value: value)
                                }
                                return nil
                            } catch let failure as ReplayLogError {
                                return failure
                            } catch {
                                return ReplayLogError("\(error)")
                            }
                        }
                        if let failure { throw failure }
                        element = Int(pair.end)
                    }
                case "value":
                    // The value is the rest of the line, byte for byte.
                    var start = Int(node.start)
                    if node.kind == .string { start -= 1 }
                    var end = line.count
                    while end > start, line[end - 1] != UInt8(ascii: "}") { end -= 1 }
                    end -= 1
                    while end > start, Self.isSpace(line[end - 1]) { end -= 1 }
                    builder.setValue(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(line)[start..<end]))
                    hasValue = true
                case "valueText":
                    guard node.kind == .string else { throw ReplayLogError("\"valueText\" is not a string") }
                    document.withString(valueIndex) { builder.setValue(UnsafeRawBufferPointer($0)) }
                    hasValue = true
                case "valueBase64":
                    guard node.kind == .string, let data = Data(base64Encoded: document.string(valueIndex)) else {
                        throw ReplayLogError("\"valueBase64\" is not Base64")
                    }
                    data.withUnsafeBytes { builder.setValue($0) }
                    hasValue = true
                default:
                    break
                }
                member = next
            }
            guard let topic, let partition, let offset else {
                throw ReplayLogError("a record needs \"topic\", \"partition\" and \"offset\"")
            }
            if !hasValue { builder.setValue(UnsafeRawBufferPointer(start: nil, count: 0)) }
            return builder.makeRecord(topic: topic, partition: partition, offset: offset, timestamp: timestamp)
        }

        private static func isSpace(_ byte: UInt8) -> Bool {
            byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
        }

        /// The topic's `String`, built once per topic rather than once per line.
        private mutating func topicName(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
            for known in topics where known.bytes.elementsEqual(bytes) { return known.name }
            let name = String(decoding: bytes, as: UTF8.self)
            topics.append((Array(bytes), name))
            return name
        }

        /// The bytes of a string node, or of a `{"base64": "…"}` object.
        private static func withBytes(
            _ document: JSONDocument, _ index: Int, field: String, _ body: (UnsafeRawBufferPointer) -> Void
        ) throws(ReplayLogError) {
            let node = document[index]
            if node.kind == .string {
                document.withString(index) { body(UnsafeRawBufferPointer($0)) }
                return
            }
            guard node.kind == .object, node.length == 1, document.stringEquals(index + 1, Array("base64".utf8)),
                document[index + 2].kind == .string,
                let data = Data(base64Encoded: document.string(index + 2))
            else {
                throw ReplayLogError("\(field) is neither a string nor {\"base64\": ...}")
            }
            data.withUnsafeBytes { body($0) }
        }
    }
}
