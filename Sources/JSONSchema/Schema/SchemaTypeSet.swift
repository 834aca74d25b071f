/// The JSON types a schema's `type` keyword allows, as bits.
struct SchemaTypeSet: OptionSet, Sendable {
    let rawValue: UInt8

    static let null = SchemaTypeSet(rawValue: 1 << 0)
    static let boolean = SchemaTypeSet(rawValue: 1 << 1)
    static let object = SchemaTypeSet(rawValue: 1 << 2)
    static let array = SchemaTypeSet(rawValue: 1 << 3)
    static let number = SchemaTypeSet(rawValue: 1 << 4)
    static let integer = SchemaTypeSet(rawValue: 1 << 5)
    static let string = SchemaTypeSet(rawValue: 1 << 6)

    static let names: [(String, SchemaTypeSet)] = [
        ("null", .null), ("boolean", .boolean), ("object", .object), ("array", .array),
        ("number", .number), ("integer", .integer), ("string", .string),
    ]

    init(rawValue: UInt8) { self.rawValue = rawValue }

    init?(name: String) {
        guard let match = Self.names.first(where: { $0.0 == name }) else { return nil }
        self = match.1
    }

    /// Whether a value of this node's kind is allowed; `integer` is asked only for numbers that
    /// are not already allowed as `number`.
    func allows(_ kind: JSONNode.Kind, isInteger: () -> Bool) -> Bool {
        switch kind {
        case .null: return contains(.null)
        case .true, .false: return contains(.boolean)
        case .string: return contains(.string)
        case .object: return contains(.object)
        case .array: return contains(.array)
        case .number: return contains(.number) || (contains(.integer) && isInteger())
        }
    }

    var description: String {
        let listed = Self.names.filter { contains($0.1) }.map(\.0)
        return listed.count == 1 ? listed[0] : listed.joined(separator: " or ")
    }
}
