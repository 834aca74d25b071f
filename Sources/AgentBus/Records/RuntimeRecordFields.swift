import JSONSchema

/// The fields of one runtime record's JSON object, read by name with the type the record's
/// writer gives them: the one place that says what a missing or mistyped field is, so the
/// records' readers list their fields and nothing else.
struct RuntimeRecordFields {
    private let object: JSONObject
    /// `activity record`, `heartbeat`: what the bytes should have been, for messages.
    private let kind: String

    init(object: JSONObject, kind: String) {
        self.object = object
        self.kind = kind
    }

    init(_ bytes: some Collection<UInt8>, kind: String) throws(RuntimeRecordError) {
        self.kind = kind
        let value: JSONValue
        do {
            value = try JSONValue(parsing: bytes)
        } catch {
            throw RuntimeRecordError("\(kind): not JSON: \(error)")
        }
        guard let object = value.objectValue else { throw RuntimeRecordError("\(kind): not a JSON object") }
        self.object = object
    }

    func string(_ name: String) throws(RuntimeRecordError) -> String {
        guard let value = try optionalString(name) else { throw missing(name) }
        return value
    }

    /// Absent and `null` both read as nil: the writers leave nil fields out.
    func optionalString(_ name: String) throws(RuntimeRecordError) -> String? {
        guard let value = object[name], value != .null else { return nil }
        guard let string = value.stringValue else { throw mistyped(name, "a string") }
        return string
    }

    func integer(_ name: String) throws(RuntimeRecordError) -> Int64 {
        guard let value = object[name], value != .null else { throw missing(name) }
        guard let number = value.numberValue, let integer = Int64(number.text) ?? Int64(exactly: number.value) else {
            throw mistyped(name, "an integer")
        }
        return integer
    }

    func integer<Integer: FixedWidthInteger>(_ name: String, as _: Integer.Type) throws(RuntimeRecordError) -> Integer {
        guard let value = Integer(exactly: try integer(name)) else { throw mistyped(name, "an integer in range") }
        return value
    }

    /// Absent and `null` both read as nil: fields added later are absent in older records.
    func optionalInteger(_ name: String) throws(RuntimeRecordError) -> Int64? {
        guard let value = object[name], value != .null else { return nil }
        return try integer(name)
    }

    func strings(_ name: String) throws(RuntimeRecordError) -> [String] {
        guard let value = object[name], value != .null else { throw missing(name) }
        guard let elements = value.arrayValue else { throw mistyped(name, "an array of strings") }
        var strings: [String] = []
        strings.reserveCapacity(elements.count)
        for element in elements {
            guard let string = element.stringValue else { throw mistyped(name, "an array of strings") }
            strings.append(string)
        }
        return strings
    }

    /// Absent and `null` both read as nil.
    func optionalStrings(_ name: String) throws(RuntimeRecordError) -> [String]? {
        guard let value = object[name], value != .null else { return nil }
        return try strings(name)
    }

    /// A string field read as one of `Value`'s raw values.
    func value<Value: RawRepresentable<String>>(_ name: String, as _: Value.Type) throws(RuntimeRecordError) -> Value {
        guard let value = Value(rawValue: try string(name)) else { throw mistyped(name, "a known value") }
        return value
    }

    func optionalValue<Value: RawRepresentable<String>>(_ name: String, as _: Value.Type) throws(RuntimeRecordError) -> Value? {
        guard let raw = try optionalString(name) else { return nil }
        guard let value = Value(rawValue: raw) else { throw mistyped(name, "a known value") }
        return value
    }

    /// Absent and `null` both read as 0.
    func number(_ name: String) throws(RuntimeRecordError) -> Double {
        guard let value = object[name], value != .null else { return 0 }
        guard let number = value.numberValue else { throw mistyped(name, "a number") }
        return number.value
    }

    /// Absent and `null` both read as false.
    func flag(_ name: String) throws(RuntimeRecordError) -> Bool {
        guard let value = object[name], value != .null else { return false }
        guard let flag = value.boolValue else { throw mistyped(name, "true or false") }
        return flag
    }

    /// The objects of an array field; absent and `null` read as none.
    func objects(_ name: String) throws(RuntimeRecordError) -> [RuntimeRecordFields] {
        guard let value = object[name], value != .null else { return [] }
        guard let elements = value.arrayValue else { throw mistyped(name, "an array of objects") }
        var objects: [RuntimeRecordFields] = []
        for element in elements {
            guard let object = element.objectValue else { throw mistyped(name, "an array of objects") }
            objects.append(RuntimeRecordFields(object: object, kind: "\(kind) \(name)"))
        }
        return objects
    }

    private func missing(_ name: String) -> RuntimeRecordError {
        RuntimeRecordError("\(kind): \"\(name)\" is missing")
    }

    private func mistyped(_ name: String, _ expected: String) -> RuntimeRecordError {
        RuntimeRecordError("\(kind): \"\(name)\" is not \(expected)")
    }
}
