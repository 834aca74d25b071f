import Foundation

/// What one ``JSONPayloadEncoder/encode(_:)`` writes to: its encoders and containers all share
/// one of these.
///
/// The output needs its keys sorted, but `Codable` hands them over in declaration order, and a
/// container may still be written to after a sibling (`nestedContainer(keyedBy:forKey:)`, then
/// more keys in the parent). So encoding does not write the output directly: it writes each
/// scalar's JSON text and each key into one scratch buffer, and records the structure in two
/// flat arrays, members and containers, linked by index. ``serialize(_:)`` then walks that tree
/// once, sorting each object's members, and copies the text into the output. Scalars allocate
/// nothing (a `Double` with a long `description` aside): the arrays grow, and
/// `KeyedEncodingContainer`'s box is the only allocation per object.
final class JSONPayloadEncoderStorage {
    // Members and containers keep 32-bit offsets and indices (a payload is far below 2 GB):
    // a member is then 28 bytes rather than 56, and the 32 reserved for an event fit in a block
    // glibc serves from its per-thread cache (up to about 1 KB) instead of its slower path.

    /// What a member holds.
    enum Value {
        /// Nothing yet: an encoder was made for it but has not written. Written as `{}` if it
        /// stays so, as Foundation's `JSONEncoder` does for a value that encodes nothing.
        case pending
        /// JSON text in ``scratch``, escaped and ready to copy.
        case text(start: Int32, count: Int32)
        case container(Int32)
    }

    /// A value in a container (or the top-level value, member 0), with its key in an object.
    struct Member {
        /// The key's UTF-8 in ``scratch``, not escaped (keys are compared raw, as Foundation
        /// sorts them); `keyCount` is -1 for array elements and the top-level value.
        var keyStart: Int32
        var keyCount: Int32
        var value: Value
        /// The next member of the same container, or -1.
        var next: Int32 = -1
        /// For members an encoder or container was made for: the member's coding path in
        /// ``paths``. Scalars written by a container have none (-1 is the top level, never read).
        var path: Int32

        init(key: (start: Int, count: Int)?, value: Value, path: Int) {
            self.keyStart = Int32(key?.start ?? 0)
            self.keyCount = Int32(key?.count ?? -1)
            self.value = value
            self.path = Int32(path)
        }
    }

    struct Container {
        var isObject: Bool
        var first: Int32 = -1
        var last: Int32 = -1
        var count: Int32 = 0
        /// The coding path of the container's value.
        var path: Int32

        /// Makes `member` the last member; returns the one before it, whose `next` it becomes,
        /// or -1.
        mutating func link(_ member: Int) -> Int {
            let previous = Int(last)
            if previous < 0 { first = Int32(member) }
            last = Int32(member)
            count += 1
            return previous
        }
    }

    // Unchecked exclusivity: these are appended to for every value, and a class's stored
    // properties are otherwise checked at run time on each access, which cost more than a
    // quarter of the encoding time. It is safe because a storage belongs to one encode call on
    // one thread, and no access to one of them overlaps another (each append or assignment
    // finishes before the next starts; `serialize` only reads).

    /// Keys and scalar values' JSON text, in the order written.
    @exclusivity(unchecked) private(set) var scratch: [UInt8] = []
    @exclusivity(unchecked) private(set) var members: [Member] = []
    @exclusivity(unchecked) private(set) var containers: [Container] = []
    @exclusivity(unchecked) var paths = CodingPathTable(capacity: 16)
    /// What escaping the keys adds to their length (nearly always 0), for sizing the output.
    private var keyEscapingBytes = 0

    /// Containers nested deeper than this are an error: it is ``JSONParser/maximumDepth``, so
    /// every payload written can be read back.
    static let maximumDepth = JSONParser.maximumDepth

    /// A storage whose member 0 is the top-level value, still pending.
    init() {
        // Enough for a typical event (a 270-byte payload has about 20 members), so the buffers
        // rarely grow.
        scratch.reserveCapacity(512)
        members.reserveCapacity(32)
        containers.reserveCapacity(8)
        members.append(Member(key: nil, value: .pending, path: CodingPathTable.root))
    }

    // MARK: - Building

    /// Adds a scalar member to `container` under the key `name`; `write` appends its JSON text.
    ///
    /// The keyed container passes the key's string rather than the key: its code is generic over
    /// the key type and runs unspecialized, so the less it does with `Key` the better.
    func addScalar(to container: Int, key name: String, _ write: () throws -> Void) rethrows {
        let key = appendKey(name)
        let start = scratch.count
        try write()
        addMember(to: container, Member(key: key, value: text(from: start), path: -1))
    }

    /// Appends a scalar element to the array `container`; `write` appends its JSON text.
    func addScalar(to container: Int, _ write: () throws -> Void) rethrows {
        let start = scratch.count
        try write()
        addMember(to: container, Member(key: nil, value: text(from: start), path: -1))
    }

    /// Sets `member`'s value to the JSON text `write` appends (a single-value container).
    func setScalar(_ member: Int, _ write: () throws -> Void) rethrows {
        let start = scratch.count
        try write()
        members[member].value = text(from: start)
    }

    /// The scratch text from `start` to the end.
    private func text(from start: Int) -> Value {
        .text(start: Int32(start), count: Int32(scratch.count - start))
    }

    /// Adds a pending member to `container` under `key`, for an encoder or a nested container.
    func addPending(to container: Int, key: some CodingKey) -> Int {
        let name = appendKey(key.stringValue)
        let path = paths.append(key, to: Int(containers[container].path))
        return addMember(to: container, Member(key: name, value: .pending, path: path))
    }

    /// Appends a pending element to the array `container`.
    func addPending(to container: Int) -> Int {
        let path = paths.append(index: count(of: container), to: Int(containers[container].path))
        return addMember(to: container, Member(key: nil, value: .pending, path: path))
    }

    /// The container `member` holds: the one it already has if it is of the same kind (an encoder
    /// asked twice gets the same container, as with Foundation), otherwise a new one.
    func container(for member: Int, isObject: Bool) -> Int {
        if case .container(let existing) = members[member].value, containers[Int(existing)].isObject == isObject {
            return Int(existing)
        }
        containers.append(Container(isObject: isObject, path: members[member].path))
        members[member].value = .container(Int32(containers.count - 1))
        return containers.count - 1
    }

    func count(of container: Int) -> Int { Int(containers[container].count) }

    func codingPath(ofMember member: Int) -> [any CodingKey] { paths.codingPath(Int(members[member].path)) }

    func codingPath(ofContainer container: Int) -> [any CodingKey] { paths.codingPath(Int(containers[container].path)) }

    private func appendKey(_ name: String) -> (start: Int, count: Int) {
        var name = name
        let start = scratch.count
        name.withUTF8 { utf8 in
            scratch.append(contentsOf: utf8)
            if Self.needsEscaping(utf8) {
                for byte in utf8 where Self.mayNeedEscape(byte) { keyEscapingBytes += Self.escapedLength(byte) - 1 }
            }
        }
        return (start, scratch.count - start)
    }

    @discardableResult
    private func addMember(to container: Int, _ member: Member) -> Int {
        let index = members.count
        members.append(member)
        let previous = containers[container].link(index)
        if previous >= 0 { members[previous].next = Int32(index) }
        return index
    }

    // MARK: - Values

    /// Encodes `value` as the member `key` of `container`.
    func encode<T: Encodable>(_ value: T, to container: Int, key: some CodingKey) throws {
        // Nearly every event has a date: written as a scalar straight away, it needs no pending
        // member and no coding path entry.
        if T.self == Date.self {
            try addScalar(to: container, key: key.stringValue) {
                try writeDate(value as! Date, codingPath: { codingPath(ofContainer: container) + [key] })
            }
        } else {
            try encode(value, into: addPending(to: container, key: key))
        }
    }

    /// Encodes `value` as the next element of the array `container`.
    func encode<T: Encodable>(_ value: T, toArray container: Int) throws {
        if T.self == Date.self {
            let index = count(of: container)
            try addScalar(to: container) {
                try writeDate(value as! Date, codingPath: {
                    codingPath(ofContainer: container) + [JSONPayloadCodingKey(intValue: index)]
                })
            }
        } else {
            try encode(value, into: addPending(to: container))
        }
    }

    /// Encodes `value` into `member`: the types Foundation's `JSONEncoder` writes its own way
    /// directly, anything else by its `encode(to:)`.
    func encode<T: Encodable>(_ value: T, into member: Int) throws {
        // Comparing metatypes is cheap; `value as? Date` on every value would not be.
        if T.self == Date.self {
            try setScalar(member) { try writeDate(value as! Date, codingPath: { codingPath(ofMember: member) }) }
        } else if T.self == URL.self {
            setScalar(member) { writeString((value as! URL).absoluteString) }
        } else if T.self == Data.self {
            setScalar(member) { writeString((value as! Data).base64EncodedString()) }
        } else if T.self == Decimal.self {
            let decimal = value as! Decimal
            guard !decimal.isNaN else {
                throw EncodingError.invalidValue(decimal, EncodingError.Context(
                    codingPath: codingPath(ofMember: member), debugDescription: "Unable to encode Decimal.nan directly in JSON."))
            }
            setScalar(member) { appendASCII(decimal.description) }
        } else {
            try value.encode(to: JSONPayloadEncoder(storage: self, member: member))
        }
    }

    // MARK: - Scalar text

    func writeNull() { appendASCII("null") }

    func writeBool(_ value: Bool) { appendASCII(value ? "true" : "false") }

    func writeString(_ value: String) {
        var value = value
        value.withUTF8 { Self.appendQuoted($0, to: &scratch) }
    }

    /// Decimal digits, without making a `String` for widths up to 64 bits.
    func writeInteger<T: FixedWidthInteger>(_ value: T) {
        guard T.bitWidth <= 64 else {
            appendASCII(value.description)
            return
        }
        var magnitude = UInt64(value.magnitude)
        if value < 0 { scratch.append(UInt8(ascii: "-")) }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var start = digits.count
            repeat {
                start -= 1
                digits[start] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            scratch.append(contentsOf: UnsafeBufferPointer(rebasing: digits[start...]))
        }
    }

    /// A finite `Double` as Foundation's `JSONEncoder` writes it: `description`, the shortest
    /// text that reads back as the same value, without a trailing `.0` (`250000`, `12380.4`,
    /// `1e+16`, `-0`).
    func writeDouble(_ value: Double) {
        // Whole numbers below 10^15 are `description` without `.0` exactly, and need no
        // `String`. (-0 is not: `description` keeps its sign.)
        if value.rounded(.towardZero) == value, value.magnitude < 1e15, !(value == 0 && value.sign == .minus) {
            writeInteger(Int64(value))
        } else {
            appendFloatingPoint(value.description)
        }
    }

    /// A finite `Float`, as Foundation writes it (see ``writeDouble(_:)``).
    func writeFloat(_ value: Float) { appendFloatingPoint(value.description) }

    /// The RFC 3339 text, with milliseconds, the typed payloads' convention.
    private func writeDate(_ date: Date, codingPath: () -> [any CodingKey]) throws {
        // Truncated to the millisecond, as event times (`ce_time`) are.
        let milliseconds = (date.timeIntervalSince1970 * 1000).rounded(.down)
        guard let milliseconds = Int64(exactly: milliseconds) else {
            throw EncodingError.invalidValue(date, EncodingError.Context(
                codingPath: codingPath(), debugDescription: "Unable to encode \(date) as an RFC 3339 date-time."))
        }
        scratch.append(UInt8(ascii: "\""))
        RFC3339Milliseconds.append(milliseconds, to: &scratch)
        scratch.append(UInt8(ascii: "\""))
    }

    private func appendFloatingPoint(_ text: String) {
        var text = text
        text.withUTF8 { ascii in
            // On the bytes: `String.hasSuffix` compares Unicode characters, at several times the cost.
            let count = ascii.count
            let whole = count >= 2 && ascii[count - 2] == UInt8(ascii: ".") && ascii[count - 1] == UInt8(ascii: "0")
            scratch.append(contentsOf: UnsafeBufferPointer(rebasing: ascii[0..<(whole ? count - 2 : count)]))
        }
    }

    private func appendASCII(_ text: String) {
        var text = text
        text.withUTF8 { scratch.append(contentsOf: $0) }
    }

    /// `utf8` as a JSON string, escaped as Foundation's `JSONEncoder` escapes (so the bytes are
    /// the same): `"` and `\`, control characters as `\b \f \n \r \t` or `\u00xx`; `/`, DEL
    /// and non-ASCII as they are.
    static func appendQuoted(_ utf8: UnsafeBufferPointer<UInt8>, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        defer { bytes.append(UInt8(ascii: "\"")) }
        guard needsEscaping(utf8) else {
            bytes.append(contentsOf: utf8)
            return
        }
        // Runs without escapes are copied at once.
        var runStart = 0
        for index in 0..<utf8.count where mayNeedEscape(utf8[index]) {
            if runStart < index { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index])) }
            runStart = index + 1
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 6) { escape in
                let length = writeEscape(utf8[index], to: escape.baseAddress!)
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: escape[0..<length]))
            }
        }
        if runStart < utf8.count { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...])) }
    }

    /// Whether any byte of `utf8` needs escaping (see ``mayNeedEscape(_:)``). Every key and
    /// string value is checked and almost none needs it, so this looks at eight bytes at a time:
    /// the classic bit tricks for "has a byte less than n" and "has a zero byte" (after XOR with
    /// the byte sought). Their answer for the word as a whole is exact: a borrow only reaches a
    /// byte's high bit from a byte that matches.
    static func needsEscaping(_ utf8: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = utf8.baseAddress else { return false }
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highBits: UInt64 = 0x8080_8080_8080_8080
        var index = 0
        while index + 8 <= utf8.count {
            let word = UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)
            let quotes = word ^ (ones &* 0x22)  // a zero byte where there was `"`
            let backslashes = word ^ (ones &* 0x5C)  // and where there was `\`
            let below0x20 = (word &- ones &* 0x20) & ~word
            let zeroQuote = (quotes &- ones) & ~quotes
            let zeroBackslash = (backslashes &- ones) & ~backslashes
            if (below0x20 | zeroQuote | zeroBackslash) & highBits != 0 { return true }
            index += 8
        }
        while index < utf8.count {
            if mayNeedEscape(utf8[index]) { return true }
            index += 1
        }
        return false
    }

    /// Whether `byte` needs escaping in a JSON string: a quick test for the common case.
    static func mayNeedEscape(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
    }

    /// How many bytes `byte` takes in a JSON string: 1, or 2 or 6 escaped.
    static func escapedLength(_ byte: UInt8) -> Int {
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), 0x08, 0x0C, 0x0A, 0x0D, 0x09: 2
        case 0..<0x20: 6
        default: 1
        }
    }

    /// Writes the escape of `byte` (one that ``escapedLength(_:)`` says needs one) to `out`;
    /// returns its length.
    static func writeEscape(_ byte: UInt8, to out: UnsafeMutablePointer<UInt8>) -> Int {
        out[0] = UInt8(ascii: "\\")
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): out[1] = byte
        case 0x08: out[1] = UInt8(ascii: "b")
        case 0x0C: out[1] = UInt8(ascii: "f")
        case 0x0A: out[1] = UInt8(ascii: "n")
        case 0x0D: out[1] = UInt8(ascii: "r")
        case 0x09: out[1] = UInt8(ascii: "t")
        default:
            let hex: StaticString = "0123456789abcdef"
            out[1] = UInt8(ascii: "u")
            out[2] = UInt8(ascii: "0")
            out[3] = UInt8(ascii: "0")
            out[4] = hex.utf8Start[Int(byte >> 4)]
            out[5] = hex.utf8Start[Int(byte & 0xF)]
            return 6
        }
        return 2
    }

    // MARK: - Output

    /// The JSON text of the top-level value (`topLevel` is only for the error): compact, each
    /// object's keys in byte-wise UTF-8 order, as Foundation's `.sortedKeys` orders them.
    func serialize(_ topLevel: Any) throws -> [UInt8] {
        // An upper bound of the size: the scratch text (keys and values), what escaping the keys
        // adds, per member at most two quotes, a colon, a comma and `{}` for a pending value, and
        // per container its brackets. So the output is allocated once and filled through a
        // pointer, without `Array.append`'s checks for each piece.
        let capacity = scratch.count + keyEscapingBytes + 6 * members.count + 2 * containers.count
        return try [UInt8](unsafeUninitializedCapacity: capacity) { output, initializedCount in
            try scratch.withUnsafeBufferPointer { scratch in
                try members.withUnsafeBufferPointer { members in
                    try containers.withUnsafeBufferPointer { containers in
                        var writer = Writer(
                            scratch: scratch, members: members, containers: containers, output: output,
                            keysNeedEscaping: keyEscapingBytes > 0)
                        do throws(Writer.TooDeep) {
                            try writer.write(members[0].value, depth: 0)
                        } catch {
                            throw EncodingError.invalidValue(topLevel, EncodingError.Context(
                                codingPath: paths.codingPath(Int(containers[error.container].path)),
                                debugDescription: "Containers nested deeper than \(Self.maximumDepth) levels."))
                        }
                        initializedCount = writer.count
                    }
                }
            }
        }
    }

    /// Copies the tree into the output. The buffers are borrowed from the storage for the walk.
    private struct Writer {
        struct TooDeep: Error {
            var container: Int
        }

        let scratch: UnsafeBufferPointer<UInt8>
        let members: UnsafeBufferPointer<Member>
        let containers: UnsafeBufferPointer<Container>
        /// Big enough for the whole text (see ``serialize(_:)``).
        let output: UnsafeMutableBufferPointer<UInt8>
        /// Whether any key needs escaping; if none does, keys are copied whole.
        let keysNeedEscaping: Bool
        /// Bytes written so far.
        private(set) var count = 0

        init(
            scratch: UnsafeBufferPointer<UInt8>, members: UnsafeBufferPointer<Member>,
            containers: UnsafeBufferPointer<Container>, output: UnsafeMutableBufferPointer<UInt8>,
            keysNeedEscaping: Bool
        ) {
            self.scratch = scratch
            self.members = members
            self.containers = containers
            self.output = output
            self.keysNeedEscaping = keysNeedEscaping
        }

        mutating func write(_ value: Value, depth: Int) throws(TooDeep) {
            switch value {
            case .pending:
                put(UInt8(ascii: "{"))
                put(UInt8(ascii: "}"))
            case .text(let start, let length):
                // Scalar text is never empty, so `scratch` is not either.
                (output.baseAddress! + count).initialize(from: scratch.baseAddress! + Int(start), count: Int(length))
                count += Int(length)
            case .container(let index):
                let container = containers[Int(index)]
                guard depth < JSONPayloadEncoderStorage.maximumDepth else { throw TooDeep(container: Int(index)) }
                if container.isObject {
                    try writeObject(container, depth: depth + 1)
                } else {
                    try writeArray(container, depth: depth + 1)
                }
            }
        }

        private mutating func put(_ byte: UInt8) {
            output[count] = byte
            count += 1
        }

        private mutating func writeArray(_ container: Container, depth: Int) throws(TooDeep) {
            put(UInt8(ascii: "["))
            var member = Int(container.first)
            while member >= 0 {
                if member != container.first { put(UInt8(ascii: ",")) }
                try write(members[member].value, depth: depth)
                member = Int(members[member].next)
            }
            put(UInt8(ascii: "]"))
        }

        private mutating func writeObject(_ container: Container, depth: Int) throws(TooDeep) {
            put(UInt8(ascii: "{"))
            defer { put(UInt8(ascii: "}")) }
            guard container.count > 0 else { return }
            try withUnsafeTemporaryAllocation(of: SortKey.self, capacity: Int(container.count)) { (order) throws(TooDeep) in
                // The members in key order; of members with the same key, the last written comes
                // last. An event's objects are small and insertion sort (stable) is quickest for
                // them; a big one (a dictionary) would make it quadratic, so those are sorted by
                // the standard library, with the order written breaking ties.
                var sorted = 0
                var member = Int(container.first)
                let small = container.count <= 16
                while member >= 0 {
                    let key = sortKey(member)
                    var slot = sorted
                    while small, slot > 0, keyOrder(key, order[slot - 1]) < 0 {
                        order[slot] = order[slot - 1]
                        slot -= 1
                    }
                    order[slot] = key
                    sorted += 1
                    member = Int(members[member].next)
                }
                if !small {
                    var order = order  // the same memory; `sort` is declared mutating
                    order.sort { a, b in
                        let byKey = keyOrder(a, b)
                        return byKey < 0 || (byKey == 0 && a.member < b.member)
                    }
                }
                var first = true
                for position in 0..<sorted {
                    // A key written twice keeps its last value, as Foundation's dictionary does.
                    if position + 1 < sorted, keyOrder(order[position], order[position + 1]) == 0 { continue }
                    if !first { put(UInt8(ascii: ",")) }
                    first = false
                    let entry = members[order[position].member]
                    writeKey(entry)
                    try write(entry.value, depth: depth)
                }
            }
        }

        /// A member being sorted, with the first eight bytes of its key as a big-endian number
        /// (zero after the key's end): most keys differ there, and then one comparison of
        /// integers orders them.
        private struct SortKey {
            var prefix: UInt64
            var member: Int
        }

        private func sortKey(_ member: Int) -> SortKey {
            let start = Int(members[member].keyStart)
            let length = Int(members[member].keyCount)
            var prefix: UInt64 = 0
            if length >= 8 {
                prefix = UInt64(bigEndian: UnsafeRawPointer(scratch.baseAddress! + start).loadUnaligned(as: UInt64.self))
            } else {
                for offset in 0..<8 {
                    prefix = prefix << 8 | (offset < length ? UInt64(scratch[start + offset]) : 0)
                }
            }
            return SortKey(prefix: prefix, member: member)
        }

        /// Byte-wise order of two keys, a prefix first: <0, 0 or >0.
        private func keyOrder(_ a: SortKey, _ b: SortKey) -> Int {
            if a.prefix != b.prefix { return a.prefix < b.prefix ? -1 : 1 }
            // The same first eight bytes, or a key that ends in zero bytes where the other ends.
            return keyOrder(a.member, b.member)
        }

        /// `"key":`, the key escaped as ``JSONPayloadEncoderStorage/appendQuoted(_:to:)`` escapes.
        private mutating func writeKey(_ member: Member) {
            put(UInt8(ascii: "\""))
            let (start, length) = (Int(member.keyStart), Int(member.keyCount))
            if !keysNeedEscaping, length > 0 {
                (output.baseAddress! + count).initialize(from: scratch.baseAddress! + start, count: length)
                count += length
            } else {
                writeEscapedKey(member)
            }
            put(UInt8(ascii: "\""))
            put(UInt8(ascii: ":"))
        }

        private mutating func writeEscapedKey(_ member: Member) {
            for offset in 0..<Int(member.keyCount) {
                let byte = scratch[Int(member.keyStart) + offset]
                if !JSONPayloadEncoderStorage.mayNeedEscape(byte) {
                    put(byte)
                } else {
                    count += JSONPayloadEncoderStorage.writeEscape(byte, to: output.baseAddress! + count)
                }
            }
        }

        /// Byte-wise comparison of two members' keys (a prefix sorts first): <0, 0 or >0. A loop
        /// rather than `memcmp`: keys are short.
        private func keyOrder(_ a: Int, _ b: Int) -> Int {
            let left = members[a]
            let right = members[b]
            let (leftStart, rightStart) = (Int(left.keyStart), Int(right.keyStart))
            for offset in 0..<Int(min(left.keyCount, right.keyCount)) {
                let x = scratch[leftStart + offset]
                let y = scratch[rightStart + offset]
                if x != y { return Int(x) - Int(y) }
            }
            return Int(left.keyCount) - Int(right.keyCount)
        }
    }
}
