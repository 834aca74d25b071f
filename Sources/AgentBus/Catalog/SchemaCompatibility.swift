import JSONSchema

/// Whether the event types of one set of schemas can replace another's: the logic of
/// `agentbus schemas check OLD_DIR NEW_DIR`.
///
/// Event types are versioned by their major version suffix (`.v1`), so within one `ce_type`
/// every change must let consumers and producers built against the old schema keep working; a
/// breaking change should come as a new type (`.v2`). The comparison is structural, per event
/// type, following `$ref`s on both sides (each resolved against the base URI of the schema it is
/// in), and reports compatible changes too, so a reviewer sees everything.
///
/// Breaking: an event type removed, its topic or key field changed; a property removed; a
/// property newly required (unless its new schema has a `default`); the allowed JSON types
/// narrowed (`integer` ⊂ `number`); enum values removed, an `enum` or `const` added, a `const`
/// changed; `additionalProperties` becoming `false`; bounds tightened (minimum, maximum and
/// their exclusive forms, the length, item and property counts, `multipleOf` added or changed
/// to a non-divisor of the old one); `pattern` or `format` added or changed.
///
/// Compatible: an event type added, an optional property added, enum values added, bounds
/// relaxed, `pattern` or `format` removed, a property no longer required, types widened.
///
/// It descends into `properties` (by name), `items`, `prefixItems` (by position),
/// `additionalProperties` and `allOf` (by position). `anyOf`, `oneOf` and the other applicators
/// are compared as JSON only: any difference is reported as breaking, to be reviewed by hand.
package enum SchemaCompatibility {
    /// How deep into nested schemas the comparison goes.
    static let maxDepth = 64
    /// How many pairs of schemas one event type's comparison looks at, at most: a guard against
    /// the blow-up of shared definitions reached along very many paths.
    static let maxComparisons = 20_000
    /// How many `$ref`s in a row (a reference to a reference …) are followed.
    static let maxReferenceHops = 32

    /// Every change from `old` to `new`, ordered by event type, then path, breaking first.
    package static func compare(old: SchemaRegistry, new: SchemaRegistry) -> [SchemaChange] {
        var changes: [SchemaChange] = []
        for type in Set(old.eventSchemas.keys).union(new.eventSchemas.keys).sorted() {
            switch (old.eventSchemas[type], new.eventSchemas[type]) {
            case (.some, nil):
                changes.append(SchemaChange(impact: .breaking, eventType: type, path: "", message: "event type removed"))
            case (nil, .some):
                changes.append(SchemaChange(impact: .compatible, eventType: type, path: "", message: "event type added"))
            case (let oldSchema?, let newSchema?):
                var comparer = Comparer(old: old, new: new, eventType: type)
                comparer.compareEvents(oldSchema, newSchema)
                changes += comparer.changes
            case (nil, nil):
                break
            }
        }
        return changes.enumerated().sorted { a, b in
            let (x, y) = (a.element, b.element)
            if x.eventType != y.eventType { return x.eventType < y.eventType }
            if x.path != y.path { return x.path < y.path }
            if x.impact != y.impact { return x.impact == .breaking }
            return a.offset < b.offset
        }.map(\.element)
    }
}

// MARK: - Schemas as seen through their references

extension SchemaCompatibility {
    /// A schema as written, where it is, and the base URI its `$ref`s resolve against.
    fileprivate struct Located {
        var value: JSONValue
        var base: String
        /// Its URI: resource `#` JSON Pointer (decoded), the identity used to detect cycles.
        var location: String

        /// The schema of a side that has none (`items` absent, say): it accepts everything.
        static let absent = Located(value: .bool(true), base: "", location: "(absent)")
    }

    /// One schema object that applies to a value: the schema itself, or what its `$ref` names.
    fileprivate struct Part {
        var object: JSONObject
        var base: String
        var location: String

        func child(_ value: JSONValue, _ tokens: String...) -> Located {
            Located(value: value, base: base, location: location + tokens.map { "/" + SchemaURI.pointerToken($0) }.joined())
        }
    }

    /// A schema with its chain of `$ref`s followed: every part applies. A bound is the tightest
    /// of all parts (`{"$ref": ..., "maxLength": 50}` over a target with `maxLength: 10` allows
    /// 10); any other keyword is read from the first part that has it (the referring schema's
    /// own keywords before its target's).
    fileprivate struct View {
        var parts: [Part] = []
        var rejectsEverything = false
        /// `$ref` targets that ``SchemaRegistry/rawSchema(at:)`` cannot find (anchors).
        var unresolved: [String] = []
        /// The last schema of the chain: where a `$ref` cycle shows up again.
        var location: String

        static let lowerBounds: Set<String> = ["minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties", "minContains"]
        static let upperBounds: Set<String> = ["maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties", "maxContains"]

        subscript(keyword: String) -> JSONValue? {
            let lower = Self.lowerBounds.contains(keyword)
            guard lower || Self.upperBounds.contains(keyword) else { return located(keyword)?.value }
            let bounds = parts.compactMap { part -> JSONValue? in
                guard let value = part.object[keyword], value.numberValue != nil else { return nil }
                return value
            }
            return bounds.max { a, b in
                let (x, y) = (a.numberValue!.value, b.numberValue!.value)
                return lower ? x < y : x > y
            }
        }

        func located(_ keyword: String) -> (value: JSONValue, part: Part)? {
            for part in parts {
                if let value = part.object[keyword] { return (value, part) }
            }
            return nil
        }

        /// `properties` of every part, first definition of a name winning, in order.
        var properties: [(name: String, schema: Located)] {
            var seen = Set<String>()
            var result: [(String, Located)] = []
            for part in parts {
                guard let properties = part.object["properties"]?.objectValue else { continue }
                for member in properties where seen.insert(member.key).inserted {
                    result.append((member.key, part.child(member.value, "properties", member.key)))
                }
            }
            return result
        }

        /// `required` of every part together, in order.
        var required: [String] {
            var seen = Set<String>()
            var result: [String] = []
            for part in parts {
                for name in part.object["required"]?.arrayValue ?? [] {
                    if let name = name.stringValue, seen.insert(name).inserted { result.append(name) }
                }
            }
            return result
        }
    }

    fileprivate static func view(of schema: Located, in registry: SchemaRegistry) -> View {
        var view = View(location: schema.location)
        var next: Located? = schema
        var followed: Set<String> = [schema.location]
        while let current = next {
            next = nil
            view.location = current.location
            switch current.value {
            case .bool(let accepts):
                if !accepts { view.rejectsEverything = true }
            case .object(let object):
                var base = current.base
                var location = current.location
                if let id = object["$id"]?.stringValue {
                    base = SchemaURI.splitFragment(SchemaURI.resolve(id, against: base)).resource
                    location = base + "#"
                    view.location = location
                }
                view.parts.append(Part(object: object, base: base, location: location))
                guard let reference = object["$ref"]?.stringValue else { break }
                let target = SchemaURI.key(SchemaRegistry.resolve(reference, against: base))
                // A chain of references that comes back on itself, or never ends, adds nothing.
                guard followed.insert(target).inserted, followed.count <= maxReferenceHops else { break }
                if let value = registry.rawSchema(at: target) {
                    next = Located(value: value, base: SchemaURI.splitFragment(target).resource, location: target)
                } else {
                    view.unresolved.append(target)
                }
            default:
                break  // not a schema; the registry would not have loaded it
            }
        }
        return view
    }
}

// MARK: - Comparing

extension SchemaCompatibility {
    fileprivate struct Pair: Hashable {
        var old: String
        var new: String
    }

    fileprivate static let jsonTypes = ["null", "boolean", "integer", "number", "string", "array", "object"]

    /// Applicators compared as JSON only (best effort): any difference is for a person to judge.
    fileprivate static let opaqueKeywords = [
        "not", "if", "then", "else", "contains", "minContains", "maxContains", "patternProperties",
        "propertyNames", "dependentRequired", "dependentSchemas",
    ]

    fileprivate struct Comparer {
        let old: SchemaRegistry
        let new: SchemaRegistry
        let eventType: String
        var changes: [SchemaChange] = []
        /// The (old, new) locations being compared on the way here: a pair seen again is a cycle.
        var ancestors: Set<Pair> = []
        var comparisons = 0

        init(old: SchemaRegistry, new: SchemaRegistry, eventType: String) {
            self.old = old
            self.new = new
            self.eventType = eventType
        }

        mutating func report(_ impact: SchemaChange.Impact, _ path: String, _ message: String) {
            changes.append(SchemaChange(impact: impact, eventType: eventType, path: path, message: message))
        }

        mutating func compareEvents(_ oldSchema: EventSchema, _ newSchema: EventSchema) {
            if oldSchema.topic != newSchema.topic {
                report(.breaking, "", "topic changed: \(Self.quoted(oldSchema.topic)) → \(Self.quoted(newSchema.topic))")
            }
            if oldSchema.keyField != newSchema.keyField {
                func describe(_ key: String?) -> String { key.map(Self.quoted) ?? "none (correlation ID)" }
                report(.breaking, "", "key field changed: \(describe(oldSchema.keyField)) → \(describe(newSchema.keyField))")
            }
            descend(root(oldSchema), root(newSchema), at: "", depth: 0)
        }

        private func root(_ schema: EventSchema) -> Located {
            let resource = SchemaURI.splitFragment(schema.id).resource
            return Located(value: schema.document, base: resource, location: resource + "#")
        }

        mutating func descend(_ oldSchema: Located, _ newSchema: Located, at path: String, depth: Int) {
            let oldView = view(of: oldSchema, in: old)
            let newView = view(of: newSchema, in: new)
            let pair = Pair(old: oldView.location, new: newView.location)
            guard depth < maxDepth, comparisons < maxComparisons, !ancestors.contains(pair) else { return }
            comparisons += 1
            ancestors.insert(pair)
            compare(oldView, newView, at: path, depth: depth)
            ancestors.remove(pair)
        }

        mutating func compare(_ o: View, _ n: View, at path: String, depth: Int) {
            if o.rejectsEverything {
                if !n.rejectsEverything { report(.compatible, path, "now accepts values (the schema was false)") }
                return
            }
            if n.rejectsEverything {
                report(.breaking, path, "no longer accepts any value (the schema is false)")
                return
            }
            if o.unresolved != n.unresolved {
                report(.breaking, path, "$ref that could not be followed changed: \(describe(o.unresolved)) → \(describe(n.unresolved))")
            }
            compareTypes(o, n, at: path)
            compareValues(o, n, at: path)
            compareBounds(o, n, at: path)
            for keyword in ["pattern", "format"] { compareString(keyword, o, n, at: path) }
            compareObjects(o, n, at: path, depth: depth)
            compareArrays(o, n, at: path, depth: depth)
            compareCombinators(o, n, at: path, depth: depth)
        }

        // MARK: type

        private func types(_ view: View) -> [String]? {
            switch view["type"] {
            case .string(let name)?: [name]
            case .array(let names)?: names.compactMap(\.stringValue)
            default: nil
            }
        }

        /// The JSON types a `type` keyword allows, `number` implying `integer`; nil is all.
        private func allowed(_ types: [String]?) -> [String] {
            guard let types else { return jsonTypes }
            return jsonTypes.filter { types.contains($0) || ($0 == "integer" && types.contains("number")) }
        }

        mutating func compareTypes(_ o: View, _ n: View, at path: String) {
            let (oldTypes, newTypes) = (types(o), types(n))
            let (oldAllowed, newAllowed) = (allowed(oldTypes), allowed(newTypes))
            func describe(_ types: [String]?) -> String { types.map { $0.joined(separator: ", ") } ?? "any" }
            if !oldAllowed.allSatisfy(newAllowed.contains) {
                report(.breaking, path, "type narrowed: \(describe(oldTypes)) → \(describe(newTypes))")
            } else if !newAllowed.allSatisfy(oldAllowed.contains) {
                report(.compatible, path, "type widened: \(describe(oldTypes)) → \(describe(newTypes))")
            }
        }

        // MARK: enum, const

        private func values(_ view: View) -> (keyword: String, values: [JSONValue])? {
            if let value = view["const"] { return ("const", [value]) }
            if let values = view["enum"]?.arrayValue { return ("enum", values) }
            return nil
        }

        mutating func compareValues(_ o: View, _ n: View, at path: String) {
            switch (values(o), values(n)) {
            case (nil, let new?):
                let shown = new.keyword == "const" ? new.values[0].jsonText : JSONValue.array(new.values).jsonText
                report(.breaking, path, "\(new.keyword) added: \(shown)")
            case (let old?, nil):
                report(.compatible, path, "\(old.keyword) removed")
            case (let old?, let new?):
                if old.keyword == "const", new.keyword == "const" {
                    if old.values != new.values {
                        report(.breaking, path, "const changed: \(old.values[0].jsonText) → \(new.values[0].jsonText)")
                    }
                    return
                }
                for value in old.values where !new.values.contains(value) {
                    report(.breaking, path, "enum value \(value.jsonText) removed")
                }
                for value in new.values where !old.values.contains(value) {
                    report(.compatible, path, "enum value \(value.jsonText) added")
                }
            case (nil, nil):
                break
            }
        }

        // MARK: bounds

        private struct Bound {
            var keyword: String
            var number: JSONNumber
            var exclusive: Bool
        }

        /// The tighter of `inclusive` and `exclusive` (say `minimum` and `exclusiveMinimum`).
        private func bound(_ view: View, _ inclusive: String, _ exclusive: String, lower: Bool) -> Bound? {
            let candidates = [
                view[inclusive]?.numberValue.map { Bound(keyword: inclusive, number: $0, exclusive: false) },
                view[exclusive]?.numberValue.map { Bound(keyword: exclusive, number: $0, exclusive: true) },
            ].compactMap { $0 }
            return candidates.max { a, b in isTighter(b, than: a, lower: lower) }
        }

        private func isTighter(_ a: Bound, than b: Bound, lower: Bool) -> Bool {
            if a.number.value == b.number.value { return a.exclusive && !b.exclusive }
            return lower ? a.number.value > b.number.value : a.number.value < b.number.value
        }

        mutating func compareBounds(_ o: View, _ n: View, at path: String) {
            for (inclusive, exclusive, lower) in [("minimum", "exclusiveMinimum", true), ("maximum", "exclusiveMaximum", false)] {
                let tightened = lower ? "raised" : "lowered"
                let relaxed = lower ? "lowered" : "raised"
                let which = lower ? "lower bound" : "upper bound"
                switch (bound(o, inclusive, exclusive, lower: lower), bound(n, inclusive, exclusive, lower: lower)) {
                case (nil, let new?):
                    report(.breaking, path, "\(new.keyword) added: \(new.number)")
                case (let old?, nil):
                    report(.compatible, path, "\(old.keyword) removed")
                case (let old?, let new?):
                    let change = old.keyword == new.keyword
                        ? "\(old.number) → \(new.number)"
                        : "\(old.keyword) \(old.number) → \(new.keyword) \(new.number)"
                    let name = old.keyword == new.keyword ? new.keyword : which
                    if isTighter(new, than: old, lower: lower) {
                        report(.breaking, path, "\(name) \(tightened): \(change)")
                    } else if isTighter(old, than: new, lower: lower) {
                        report(.compatible, path, "\(name) \(relaxed): \(change)")
                    }
                case (nil, nil):
                    break
                }
            }
            for keyword in ["minLength", "minItems", "minProperties"] {
                let oldValue = o[keyword]?.numberValue
                let newValue = n[keyword]?.numberValue
                let (before, after) = (oldValue?.value ?? 0, newValue?.value ?? 0)
                if after > before {
                    report(.breaking, path, oldValue.map { "\(keyword) raised: \($0) → \(newValue!)" } ?? "\(keyword) added: \(newValue!)")
                } else if after < before {
                    report(.compatible, path, newValue.map { "\(keyword) lowered: \(oldValue!) → \($0)" } ?? "\(keyword) removed")
                }
            }
            for keyword in ["maxLength", "maxItems", "maxProperties"] {
                let oldValue = o[keyword]?.numberValue
                let newValue = n[keyword]?.numberValue
                let (before, after) = (oldValue?.value ?? .infinity, newValue?.value ?? .infinity)
                if after < before {
                    report(.breaking, path, oldValue.map { "\(keyword) lowered: \($0) → \(newValue!)" } ?? "\(keyword) added: \(newValue!)")
                } else if after > before {
                    report(.compatible, path, newValue.map { "\(keyword) raised: \(oldValue!) → \($0)" } ?? "\(keyword) removed")
                }
            }
            switch (o["multipleOf"]?.numberValue, n["multipleOf"]?.numberValue) {
            case (nil, let new?):
                report(.breaking, path, "multipleOf added: \(new)")
            case (.some, nil):
                report(.compatible, path, "multipleOf removed")
            case (let old?, let new?) where old != new:
                // Every multiple of the old value is one of the new value exactly when the new
                // value divides the old one.
                var text = old.text
                let divides = text.withUTF8 { SchemaDecimal.isMultiple($0, value: old.value, of: new) }
                if divides {
                    report(.compatible, path, "multipleOf relaxed: \(old) → \(new)")
                } else {
                    report(.breaking, path, "multipleOf changed: \(old) → \(new)")
                }
            default:
                break
            }
        }

        // MARK: pattern, format

        mutating func compareString(_ keyword: String, _ o: View, _ n: View, at path: String) {
            switch (o[keyword], n[keyword]) {
            case (nil, let new?):
                report(.breaking, path, "\(keyword) added: \(new.jsonText)")
            case (.some, nil):
                report(.compatible, path, "\(keyword) removed")
            case (let old?, let new?) where old != new:
                report(.breaking, path, "\(keyword) changed: \(old.jsonText) → \(new.jsonText)")
            default:
                break
            }
        }

        // MARK: objects

        mutating func compareObjects(_ o: View, _ n: View, at path: String, depth: Int) {
            let oldProperties = o.properties
            let newProperties = Dictionary(n.properties.map { ($0.name, $0.schema) }, uniquingKeysWith: { a, _ in a })
            let oldNames = Set(oldProperties.map(\.name))
            let oldRequired = o.required
            let newRequired = n.required
            var removed = Set<String>()
            for (name, oldSchema) in oldProperties {
                let here = path + "/" + SchemaURI.pointerToken(name)
                if let newSchema = newProperties[name] {
                    descend(oldSchema, newSchema, at: here, depth: depth + 1)
                } else {
                    removed.insert(name)
                    report(.breaking, here, "property removed")
                }
            }
            for (name, _) in n.properties where !oldNames.contains(name) && !newRequired.contains(name) {
                report(.compatible, path + "/" + SchemaURI.pointerToken(name), "optional property added")
            }
            for name in newRequired where !oldRequired.contains(name) {
                let here = path + "/" + SchemaURI.pointerToken(name)
                let hasDefault = newProperties[name].map { view(of: $0, in: new)["default"] != nil } ?? false
                if hasDefault {
                    report(.compatible, here, "newly required, with a default")
                } else {
                    report(.breaking, here, "newly required")
                }
            }
            for name in oldRequired where !newRequired.contains(name) && !removed.contains(name) {
                report(.compatible, path + "/" + SchemaURI.pointerToken(name), "no longer required")
            }

            let oldAdditional = o.located("additionalProperties")
            let newAdditional = n.located("additionalProperties")
            let oldClosed = oldAdditional?.value == .bool(false)
            let newClosed = newAdditional?.value == .bool(false)
            if newClosed, !oldClosed {
                report(.breaking, path, "additionalProperties is now false")
            } else if oldClosed, !newClosed {
                report(.compatible, path, "additionalProperties is no longer false")
            } else if !oldClosed, oldAdditional != nil || newAdditional != nil {
                descend(
                    oldAdditional.map { $0.part.child($0.value, "additionalProperties") } ?? .absent,
                    newAdditional.map { $0.part.child($0.value, "additionalProperties") } ?? .absent,
                    at: path + "/*", depth: depth + 1)
            }
        }

        // MARK: arrays

        mutating func compareArrays(_ o: View, _ n: View, at path: String, depth: Int) {
            let oldItems = o.located("items").map { $0.part.child($0.value, "items") }
            let newItems = n.located("items").map { $0.part.child($0.value, "items") }
            func prefix(_ view: View) -> [Located] {
                guard let (value, part) = view.located("prefixItems"), let schemas = value.arrayValue else { return [] }
                return schemas.indices.map { part.child(schemas[$0], "prefixItems", String($0)) }
            }
            let oldPrefix = prefix(o)
            let newPrefix = prefix(n)
            // A position one side lists and the other does not is governed there by `items`.
            for index in 0..<max(oldPrefix.count, newPrefix.count) {
                descend(
                    index < oldPrefix.count ? oldPrefix[index] : oldItems ?? .absent,
                    index < newPrefix.count ? newPrefix[index] : newItems ?? .absent,
                    at: path + "/\(index)", depth: depth + 1)
            }
            if oldItems != nil || newItems != nil {
                descend(oldItems ?? .absent, newItems ?? .absent, at: path + "/*", depth: depth + 1)
            }
        }

        // MARK: allOf, anyOf, oneOf and the rest

        mutating func compareCombinators(_ o: View, _ n: View, at path: String, depth: Int) {
            // allOf by position, best effort: its subschemas all apply to the same value.
            func allOf(_ view: View) -> [Located] {
                guard let (value, part) = view.located("allOf"), let schemas = value.arrayValue else { return [] }
                return schemas.indices.map { part.child(schemas[$0], "allOf", String($0)) }
            }
            let oldAll = allOf(o)
            let newAll = allOf(n)
            for index in 0..<max(oldAll.count, newAll.count) {
                if index < oldAll.count, index < newAll.count {
                    descend(oldAll[index], newAll[index], at: path, depth: depth + 1)
                } else if index < newAll.count {
                    report(.breaking, path, "allOf entry \(index) added")
                } else {
                    report(.compatible, path, "allOf entry \(index) removed")
                }
            }

            switch (o["uniqueItems"] ?? .bool(false), n["uniqueItems"] ?? .bool(false)) {
            case (.bool(false), .bool(true)): report(.breaking, path, "uniqueItems is now true")
            case (.bool(true), .bool(false)): report(.compatible, path, "uniqueItems is no longer true")
            default: break
            }

            // anyOf, oneOf and the other applicators and assertions: matching alternatives
            // across versions is guesswork, so this is best effort. They are compared as JSON,
            // and any difference (even one that only widens) is reported as breaking for a
            // person to review; changes inside definitions they `$ref` are not seen.
            for keyword in ["anyOf", "oneOf"] + opaqueKeywords {
                switch (o[keyword], n[keyword]) {
                case (nil, .some):
                    report(.breaking, path, "\(keyword) added")
                case (.some, nil):
                    report(.compatible, path, "\(keyword) removed")
                case (let old?, let new?) where old != new:
                    report(.breaking, path, "\(keyword) changed (not compared structurally; review by hand)")
                default:
                    break
                }
            }
        }

        // MARK: helpers

        private func view(of schema: Located, in registry: SchemaRegistry) -> View {
            SchemaCompatibility.view(of: schema, in: registry)
        }

        private static func quoted(_ text: String) -> String { JSONValue.string(text).jsonText }

        private func describe(_ targets: [String]) -> String {
            targets.isEmpty ? "none" : targets.joined(separator: ", ")
        }
    }
}
