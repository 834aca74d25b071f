/// A JSON object: its members in document order. Lookup takes the last member of a name, as
/// most JSON readers do.
public struct JSONObject: Sendable, Equatable, Sequence {
    public struct Member: Sendable, Equatable {
        public var key: String
        public var value: JSONValue

        public init(key: String, value: JSONValue) {
            self.key = key
            self.value = value
        }
    }

    public var members: [Member]

    public init(members: [Member] = []) { self.members = members }

    public init(_ pairs: KeyValuePairs<String, JSONValue>) {
        members = pairs.map { Member(key: $0.key, value: $0.value) }
    }

    public var count: Int { members.count }
    public var keys: [String] { members.map(\.key) }

    public subscript(key: String) -> JSONValue? {
        get { members.last { $0.key == key }?.value }
        set {
            members.removeAll { $0.key == key }
            if let newValue { members.append(Member(key: key, value: newValue)) }
        }
    }

    public func makeIterator() -> IndexingIterator<[Member]> { members.makeIterator() }

    /// Equal as JSON: the same names with equal values, in any order. With duplicate names,
    /// the last of each counts, as for lookup.
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        let names = Set(lhs.keys)
        guard names == Set(rhs.keys) else { return false }
        return names.allSatisfy { lhs[$0] == rhs[$0] }
    }
}
