/// One validation of one parsed payload against a compiled schema.
///
/// Runs in two modes. The fast mode stops at the first failure and builds no strings: that is
/// every valid event's path. When it fails, the validator runs again collecting every violation
/// with its instance path, which costs more but happens only for bad input.
struct SchemaEvaluation {
    enum PathComponent {
        case key(Int)  // the key node, decoded only when a violation is reported
        case index(Int)
    }

    /// Where violations go in the collecting mode. A reference, so that reporting does not
    /// mutate the evaluation while a message closure reads it.
    final class ViolationList {
        var items: [SchemaViolation] = []
    }

    /// Schemas applied inside one another at most: deep enough for any event (the parser stops
    /// payloads at 512 levels), shallow enough for the stack of a debug build.
    static let maximumDepth = 256
    /// Schema applications per validation at most: `allOf` chains that branch at every level
    /// would otherwise take exponential time on a small payload.
    static let maximumSteps = 1_000_000

    let document: JSONDocument
    private var sink: ViolationList?
    private var path: [PathComponent] = []
    private var depth = 0
    private var steps = 0
    /// Set once a limit is hit: the payload is then invalid, whatever the branches say.
    private var exceededLimits = false

    init(document: JSONDocument, collecting: Bool) {
        self.document = document
        self.sink = collecting ? ViolationList() : nil
    }

    var collecting: Bool { sink != nil }
    var violations: [SchemaViolation] { sink?.items ?? [] }

    // MARK: - Dispatch

    mutating func validate(_ schema: SchemaNode, _ index: Int) -> Bool {
        if schema.acceptsEverything { return true }
        steps += 1
        guard depth < Self.maximumDepth, steps <= Self.maximumSteps, !exceededLimits else {
            if !exceededLimits {
                exceededLimits = true
                report("limits", depth >= Self.maximumDepth
                    ? "schemas nest more than \(Self.maximumDepth) levels deep here; not validated"
                    : "validation needed more than \(Self.maximumSteps) steps; not validated")
            }
            return false
        }
        depth += 1
        defer { depth -= 1 }
        if schema.rejectsEverything {
            report("false", "no value is allowed here")
            return false
        }
        let node = document[index]
        var valid = true
        if let types = schema.types, !types.allows(node.kind, isInteger: { document.isInteger(index) }) {
            report("type", "expected \(types.description), got \(describeType(index))")
            if !collecting { return false }
            valid = false
        }
        if let constValue = schema.constValue, !document.equals(index, constValue) {
            report("const", "must be \(constValue.jsonText)")
            if !collecting { return false }
            valid = false
        }
        if let enumValues = schema.enumValues, !enumValues.contains(where: { document.equals(index, $0) }) {
            report("enum", "\(snippet(index)) is not one of \(enumValues.map(\.jsonText).joined(separator: ", "))")
            if !collecting { return false }
            valid = false
        }
        switch node.kind {
        case .number where schema.checksNumbers:
            if !validateNumber(schema, index) { if !collecting { return false }; valid = false }
        case .string where schema.checksStrings:
            if !validateString(schema, index) { if !collecting { return false }; valid = false }
        case .array where schema.checksArrays:
            if !validateArray(schema, index) { if !collecting { return false }; valid = false }
        case .object where schema.checksObjects:
            if !validateObject(schema, index) { if !collecting { return false }; valid = false }
        default:
            break
        }
        if schema.checksInPlace, !validateInPlace(schema, index) {
            valid = false
        }
        return valid
    }

    /// Whether `schema` accepts the value, without reporting anything: for `anyOf`, `oneOf`,
    /// `not`, `if` and `contains`, whose branches may fail without the whole failing.
    private mutating func matches(_ schema: SchemaNode, _ index: Int) -> Bool {
        let saved = sink
        sink = nil
        defer { sink = saved }
        return validate(schema, index)
    }

    // MARK: - Numbers

    private mutating func validateNumber(_ schema: SchemaNode, _ index: Int) -> Bool {
        let value = document.number(index)
        var valid = true
        if let minimum = schema.minimum, !(value >= minimum) {
            report("minimum", "\(snippet(index)) is less than the minimum \(format(minimum))")
            if !collecting { return false }
            valid = false
        }
        if let maximum = schema.maximum, !(value <= maximum) {
            report("maximum", "\(snippet(index)) is greater than the maximum \(format(maximum))")
            if !collecting { return false }
            valid = false
        }
        if let bound = schema.exclusiveMinimum, !(value > bound) {
            report("exclusiveMinimum", "\(snippet(index)) must be greater than \(format(bound))")
            if !collecting { return false }
            valid = false
        }
        if let bound = schema.exclusiveMaximum, !(value < bound) {
            report("exclusiveMaximum", "\(snippet(index)) must be less than \(format(bound))")
            if !collecting { return false }
            valid = false
        }
        if let divisor = schema.multipleOf,
            !SchemaDecimal.isMultiple(document.numberText(index), value: value, of: divisor)
        {
            report("multipleOf", "\(snippet(index)) is not a multiple of \(divisor.text)")
            valid = false
        }
        return valid
    }

    // MARK: - Strings

    private mutating func validateString(_ schema: SchemaNode, _ index: Int) -> Bool {
        var valid = true
        if schema.minLength != nil || schema.maxLength != nil {
            let length = document.scalarCount(index)
            if let minimum = schema.minLength, length < minimum {
                report("minLength", "\(snippet(index)) is shorter than \(minimum) character\(minimum == 1 ? "" : "s")")
                if !collecting { return false }
                valid = false
            }
            if let maximum = schema.maxLength, length > maximum {
                report("maxLength", "\(snippet(index)) is longer than \(maximum) character\(maximum == 1 ? "" : "s")")
                if !collecting { return false }
                valid = false
            }
        }
        if let pattern = schema.pattern, !document.withString(index, { pattern.matches($0) }) {
            report("pattern", "\(snippet(index)) does not match the pattern \(pattern.source)")
            if !collecting { return false }
            valid = false
        }
        if let format = schema.format, !document.withString(index, { format.isValid($0) }) {
            report("format", "\(snippet(index)) is not a valid \(format.rawValue)")
            valid = false
        }
        return valid
    }

    // MARK: - Arrays

    private mutating func validateArray(_ schema: SchemaNode, _ index: Int) -> Bool {
        let node = document[index]
        let count = Int(node.length)
        var valid = true
        if let minimum = schema.minItems, count < minimum {
            report("minItems", "has \(count) item\(count == 1 ? "" : "s"), fewer than \(minimum)")
            if !collecting { return false }
            valid = false
        }
        if let maximum = schema.maxItems, count > maximum {
            report("maxItems", "has \(count) item\(count == 1 ? "" : "s"), more than \(maximum)")
            if !collecting { return false }
            valid = false
        }
        var element = index + 1
        var position = 0
        var containsCount = 0
        while element < Int(node.end) {
            let schemaForElement = position < schema.prefixItems.count ? schema.prefixItems[position] : schema.items
            if let schemaForElement {
                if collecting { path.append(.index(position)) }
                let elementValid = validate(schemaForElement, element)
                if collecting { path.removeLast() }
                if !elementValid {
                    if !collecting { return false }
                    valid = false
                }
            }
            if let contains = schema.contains, matches(contains, element) { containsCount += 1 }
            element = Int(document[element].end)
            position += 1
        }
        if schema.contains != nil {
            if containsCount < schema.minContains {
                report(
                    schema.minContains == 1 ? "contains" : "minContains",
                    "has \(containsCount) item\(containsCount == 1 ? "" : "s") matching \"contains\", fewer than \(schema.minContains)")
                if !collecting { return false }
                valid = false
            }
            if let maximum = schema.maxContains, containsCount > maximum {
                report("maxContains", "has \(containsCount) items matching \"contains\", more than \(maximum)")
                if !collecting { return false }
                valid = false
            }
        }
        if schema.uniqueItems, let duplicate = firstDuplicate(in: index) {
            report("uniqueItems", "items \(duplicate.0) and \(duplicate.1) are equal")
            valid = false
        }
        return valid
    }

    /// The positions of two equal items, or nil. Small arrays compare every pair; larger ones
    /// compare only items whose JSON hashes agree, so a payload of 100,000 items costs a sort,
    /// not five billion comparisons.
    private func firstDuplicate(in index: Int) -> (Int, Int)? {
        let node = document[index]
        var items: [Int] = []
        items.reserveCapacity(Int(node.length))
        var element = index + 1
        while element < Int(node.end) {
            items.append(element)
            element = Int(document[element].end)
        }
        if items.count <= 16 {
            for first in 0..<items.count {
                for second in (first + 1)..<max(first + 1, items.count) where document.equals(items[first], items[second]) {
                    return (first, second)
                }
            }
            return nil
        }
        let hashed = items.indices.map { (hash: document.jsonHash(items[$0]), position: $0) }
            .sorted { $0.hash == $1.hash ? $0.position < $1.position : $0.hash < $1.hash }
        var best: (Int, Int)?
        var start = 0
        while start < hashed.count {
            var end = start + 1
            while end < hashed.count, hashed[end].hash == hashed[start].hash { end += 1 }
            for first in start..<end {
                for second in (first + 1)..<max(first + 1, end)
                where document.equals(items[hashed[first].position], items[hashed[second].position]) {
                    let pair = (hashed[first].position, hashed[second].position)
                    if best.map({ pair.1 < $0.1 || (pair.1 == $0.1 && pair.0 < $0.0) }) ?? true { best = pair }
                }
            }
            start = end
        }
        return best
    }

    // MARK: - Objects

    private mutating func validateObject(_ schema: SchemaNode, _ index: Int) -> Bool {
        let node = document[index]
        let count = Int(node.length)
        var valid = true
        if let minimum = schema.minProperties, count < minimum {
            report("minProperties", "has \(count) propert\(count == 1 ? "y" : "ies"), fewer than \(minimum)")
            if !collecting { return false }
            valid = false
        }
        if let maximum = schema.maxProperties, count > maximum {
            report("maxProperties", "has \(count) propert\(count == 1 ? "y" : "ies"), more than \(maximum)")
            if !collecting { return false }
            valid = false
        }
        var seenRequired: UInt64 = 0
        var key = index + 1
        while key < Int(node.end) {
            let value = key + 1
            var declared = false
            // Borrow the property list instead of copying each entry: no retain and release per
            // comparison on the hot path.
            let match = schema.properties.withUnsafeBufferPointer { properties in
                properties.firstIndex { $0.name.matches(document, key: key) }
            }
            if let match {
                declared = true
                seenRequired |= schema.properties[match].requiredBit
                if !validateMember(schema.properties[match].schema, key: key, value: value) {
                    if !collecting { return false }
                    valid = false
                }
            }
            for entry in schema.patternProperties where document.withString(key, { entry.pattern.matches($0) }) {
                declared = true
                if !validateMember(entry.schema, key: key, value: value) {
                    if !collecting { return false }
                    valid = false
                }
            }
            if !declared, let additional = schema.additionalProperties {
                if additional.rejectsEverything {
                    report("additionalProperties", "property \(quoted(key)) is not allowed")
                    if !collecting { return false }
                    valid = false
                } else if !validateMember(additional, key: key, value: value) {
                    if !collecting { return false }
                    valid = false
                }
            }
            if let names = schema.propertyNames, !matches(names, key) {
                report("propertyNames", "property name \(quoted(key)) does not match \"propertyNames\"")
                if !collecting { return false }
                valid = false
            }
            key = Int(document[value].end)
        }
        if seenRequired != schema.requiredMask {
            for property in schema.properties
            where property.requiredBit != 0 && seenRequired & property.requiredBit == 0 {
                report("required", "missing required property \"\(property.name.name)\"")
                if !collecting { return false }
            }
            valid = false
        }
        for name in schema.requiredElsewhere where !has(name, in: index) {
            report("required", "missing required property \"\(name.name)\"")
            if !collecting { return false }
            valid = false
        }
        for dependency in schema.dependentRequired where has(dependency.name, in: index) {
            for name in dependency.requires where !has(name, in: index) {
                report("dependentRequired", "property \"\(name.name)\" is required when \"\(dependency.name.name)\" is present")
                if !collecting { return false }
                valid = false
            }
        }
        return valid
    }

    private mutating func validateMember(_ schema: SchemaNode, key: Int, value: Int) -> Bool {
        if collecting { path.append(.key(key)) }
        defer { if collecting { path.removeLast() } }
        return validate(schema, value)
    }

    private func has(_ name: SchemaPropertyName, in object: Int) -> Bool {
        var key = object + 1
        while key < Int(document[object].end) {
            if name.matches(document, key: key) { return true }
            key = Int(document[key + 1].end)
        }
        return false
    }

    // MARK: - Applicators on the same value

    private mutating func validateInPlace(_ schema: SchemaNode, _ index: Int) -> Bool {
        var valid = true
        if let reference = schema.reference, !validate(reference, index) {
            if !collecting { return false }
            valid = false
        }
        for subschema in schema.allOf where !validate(subschema, index) {
            if !collecting { return false }
            valid = false
        }
        if !schema.anyOf.isEmpty, !schema.anyOf.contains(where: { matches($0, index) }) {
            report("anyOf", "matches none of the \(schema.anyOf.count) \"anyOf\" alternatives")
            if !collecting { return false }
            valid = false
        }
        if !schema.oneOf.isEmpty {
            var matched = 0
            for subschema in schema.oneOf where matches(subschema, index) {
                matched += 1
                if matched > 1 { break }
            }
            if matched != 1 {
                report("oneOf", matched == 0
                    ? "matches none of the \(schema.oneOf.count) \"oneOf\" alternatives"
                    : "matches more than one \"oneOf\" alternative, expected exactly one")
                if !collecting { return false }
                valid = false
            }
        }
        if let not = schema.not, matches(not, index) {
            report("not", "must not match the \"not\" schema")
            if !collecting { return false }
            valid = false
        }
        if let condition = schema.ifSchema {
            let branch = matches(condition, index) ? schema.thenSchema : schema.elseSchema
            if let branch, !validate(branch, index) {
                if !collecting { return false }
                valid = false
            }
        }
        if document[index].kind == .object {
            for dependency in schema.dependentSchemas where has(dependency.name, in: index) {
                if !validate(dependency.schema, index) {
                    if !collecting { return false }
                    valid = false
                }
            }
        }
        return valid
    }

    // MARK: - Reporting

    private func report(_ keyword: String, _ message: @autoclosure () -> String) {
        guard let sink else { return }
        sink.items.append(SchemaViolation(instancePath: pointer(), keyword: keyword, message: message()))
    }

    private func pointer() -> String {
        var result = ""
        for component in path {
            result += "/"
            switch component {
            case .index(let position): result += String(position)
            case .key(let key):
                result += document.string(key).replacingAll("~", with: "~0").replacingAll("/", with: "~1")
            }
        }
        return result
    }

    private func snippet(_ index: Int) -> String {
        let text = document.value(index).jsonText
        return text.count <= 60 ? text : String(text.prefix(57)) + "..."
    }

    private func quoted(_ key: Int) -> String { JSONValue.string(document.string(key)).jsonText }

    private func describeType(_ index: Int) -> String {
        switch document[index].kind {
        case .null: "null"
        case .true, .false: "boolean"
        case .number: document.isInteger(index) ? "integer" : "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    private func format(_ value: Double) -> String { JSONNumber(value).text }
}

extension String {
    fileprivate func replacingAll(_ target: Character, with replacement: String) -> String {
        guard contains(target) else { return self }
        var result = ""
        for character in self {
            if character == target { result += replacement } else { result.append(character) }
        }
        return result
    }
}
