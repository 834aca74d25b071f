/// The coding paths of one encode or decode, kept as a tree: each entry is a key (or array
/// position) and the entry of its parent, so a nested value adds one entry instead of copying
/// its parent's whole path.
///
/// `codingPath` is asked for rarely (errors, and the odd hand-written `Codable` type), so the
/// array of keys is only built then. Entries are never removed: a container may outlive the call
/// that made it, and must still report where it is.
struct CodingPathTable {
    private enum Key {
        case key(any CodingKey)
        case index(Int)
    }

    private struct Entry {
        var parent: Int
        var key: Key
    }

    private var entries: [Entry] = []

    /// A table with room for `capacity` entries before it grows.
    init(capacity: Int) {
        entries.reserveCapacity(capacity)
    }

    /// The empty path, of the top-level value.
    static let root = -1

    /// The path `parent` (an entry, or ``root``) followed by `key`.
    mutating func append(_ key: some CodingKey, to parent: Int) -> Int {
        entries.append(Entry(parent: parent, key: .key(key)))
        return entries.count - 1
    }

    /// The path `parent` followed by the array position `index`.
    mutating func append(index: Int, to parent: Int) -> Int {
        entries.append(Entry(parent: parent, key: .index(index)))
        return entries.count - 1
    }

    /// The keys from the top-level value down to `entry`.
    func codingPath(_ entry: Int) -> [any CodingKey] {
        var keys: [any CodingKey] = []
        var current = entry
        while current != Self.root {
            switch entries[current].key {
            case .key(let key): keys.append(key)
            case .index(let index): keys.append(JSONPayloadCodingKey(intValue: index))
            }
            current = entries[current].parent
        }
        return keys.reversed()
    }

    /// The path `entry` followed by `key`, without adding an entry: for errors about a member.
    func codingPath(_ entry: Int, appending key: any CodingKey) -> [any CodingKey] {
        codingPath(entry) + [key]
    }

    /// The path `entry` followed by the array position `index`.
    func codingPath(_ entry: Int, appendingIndex index: Int) -> [any CodingKey] {
        codingPath(entry) + [JSONPayloadCodingKey(intValue: index)]
    }
}
