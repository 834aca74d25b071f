import JSONSchema

/// The fields in which two JSON values differ, for ``RerunDiff``: members of objects by name,
/// elements of arrays by position; anything else (a scalar, or a value whose JSON type changed)
/// differs as a whole.
enum JSONFieldDiff {
    static func append(from old: JSONValue, to new: JSONValue, path: String, into changes: inout [RerunDiff.FieldChange]) {
        switch (old, new) {
        case (.object(let before), .object(let after)):
            // Names in the recorded order, then the new ones in theirs; with a duplicate name,
            // the last member counts, as for lookup.
            for name in uniqueNames(before) {
                let child = Self.path(path, member: name)
                if let value = after[name] {
                    append(from: before[name]!, to: value, path: child, into: &changes)
                } else {
                    changes.append(RerunDiff.FieldChange(path: child, recorded: before[name], now: nil))
                }
            }
            for name in uniqueNames(after) where before[name] == nil {
                changes.append(RerunDiff.FieldChange(path: Self.path(path, member: name), recorded: nil, now: after[name]))
            }
        case (.array(let before), .array(let after)):
            for index in 0..<max(before.count, after.count) {
                let child = "\(path)[\(index)]"
                switch (index < before.count ? before[index] : nil, index < after.count ? after[index] : nil) {
                case (let old?, let new?): append(from: old, to: new, path: child, into: &changes)
                case (let old?, nil): changes.append(RerunDiff.FieldChange(path: child, recorded: old, now: nil))
                case (nil, let new?): changes.append(RerunDiff.FieldChange(path: child, recorded: nil, now: new))
                case (nil, nil): break
                }
            }
        default:
            if old != new { changes.append(RerunDiff.FieldChange(path: path, recorded: old, now: new)) }
        }
    }

    private static func uniqueNames(_ object: JSONObject) -> [String] {
        var seen: Set<String> = []
        return object.keys.filter { seen.insert($0).inserted }
    }

    /// `path.name`, or `path["name"]` for a name that is not a plain identifier.
    static func path(_ path: String, member name: String) -> String {
        let plain = !name.isEmpty && name.utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "_")
                || byte == UInt8(ascii: "-")
        }
        if plain { return path.isEmpty ? name : "\(path).\(name)" }
        return "\(path)[\(JSONValue.string(name).jsonText)]"
    }
}
