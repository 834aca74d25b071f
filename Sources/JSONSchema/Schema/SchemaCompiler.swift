/// Compiles JSON Schema (draft 2020-12) documents into ``SchemaNode`` graphs.
///
/// Every schema object is compiled once, registered under each URI that can reach it (every
/// enclosing `$id` with the JSON Pointer from there, and its `$anchor`), and `$ref`s are linked
/// to those nodes after all documents are in, so references across files work in any order.
///
/// A keyword AgentBus does not implement is an error, never silently ignored: a schema that
/// says `unevaluatedProperties: false` must not be treated as allowing everything.
struct SchemaCompiler {
    static let draft202012 = "https://json-schema.org/draft/2020-12/schema"

    /// Keywords that only annotate; accepted and ignored.
    static let annotations: Set<String> = [
        "$comment", "title", "description", "default", "examples", "deprecated", "readOnly", "writeOnly",
        "contentEncoding", "contentMediaType", "contentSchema",
    ]

    /// Keywords of other drafts or vocabularies, rejected with a hint.
    static let unsupported: [String: String] = [
        "unevaluatedProperties": "not implemented; list the properties and use additionalProperties",
        "unevaluatedItems": "not implemented; use items with prefixItems",
        "$dynamicRef": "not implemented; use $ref",
        "$dynamicAnchor": "not implemented; use $anchor",
        "$recursiveRef": "a draft 2019-09 keyword; use $ref",
        "$recursiveAnchor": "a draft 2019-09 keyword; use $anchor",
        "$vocabulary": "only meta-schemas declare vocabularies",
        "definitions": "the draft 7 name; use $defs",
        "dependencies": "the draft 7 keyword; use dependentRequired or dependentSchemas",
        "additionalItems": "the draft 2019-09 keyword; use items after prefixItems",
        "id": "use $id",
    ]

    private struct Context {
        var file: String?
        /// The base URI `$ref`s resolve against (no fragment).
        var base: String
        /// Every enclosing schema resource with the JSON Pointer from its root to here.
        var scopes: [(resource: String, pointer: String)]
        /// The JSON Pointer from the document root, for error messages.
        var location: String

        func child(_ tokens: String...) -> Context {
            var context = self
            let suffix = tokens.map { "/" + SchemaURI.pointerToken($0) }.joined()
            context.scopes = scopes.map { ($0.resource, $0.pointer + suffix) }
            context.location = location + suffix
            return context
        }
    }

    private struct PendingReference {
        let node: SchemaNode
        let reference: String
        let target: String
        let context: Context
    }

    private(set) var registered: [String: SchemaNode] = [:]
    private(set) var problems: [SchemaLoadError.Problem] = []
    private var resourceFiles: [String: String] = [:]
    private var references: [PendingReference] = []
    private var compiled: [SchemaNode] = []

    /// Compiles one document retrieved from `uri` (its `$id`, if any, takes over as base).
    mutating func add(_ document: JSONValue, uri: String, file: String?) -> SchemaNode {
        let resource = SchemaURI.splitFragment(uri).resource
        let context = Context(file: file, base: resource, scopes: [(resource, "")], location: "")
        return compile(document, context)
    }

    /// Links every `$ref`, rejects reference cycles that never descend into the instance, and
    /// prepares the nodes for validation. Call once, after the last ``add(_:uri:file:)``.
    mutating func link() {
        for pending in references {
            if let target = registered[SchemaURI.key(pending.target)] {
                pending.node.reference = target
            } else if pending.target.hasPrefix("https://json-schema.org/") {
                problem(pending.context, "$ref \"\(pending.reference)\" names a JSON Schema meta-schema, which AgentBus does not load")
            } else {
                problem(pending.context, "$ref \"\(pending.reference)\" does not resolve to a schema (looked for \(pending.target))")
            }
        }
        rejectReferenceCycles()
        for node in compiled { node.finish() }
    }

    // MARK: - Walking

    private mutating func compile(_ value: JSONValue, _ context: Context) -> SchemaNode {
        var context = context
        if case .object(let object) = value, let id = object["$id"] {
            if case .string(let id) = id {
                let (resource, fragment) = SchemaURI.splitFragment(SchemaURI.resolve(id, against: context.base))
                if !fragment.isEmpty { problem(context, "$id \"\(id)\" has a fragment; name a location with $anchor instead") }
                context.base = resource
                if !context.scopes.contains(where: { $0.resource == resource && $0.pointer.isEmpty }) {
                    context.scopes.append((resource, ""))
                }
                let owner = context.file ?? "another document"
                if let other = resourceFiles[resource], other != owner {
                    problem(context, "$id \"\(resource)\" is also used by \(other)")
                }
                resourceFiles[resource] = owner
            } else {
                problem(context, "$id must be a string")
            }
        }

        let node = SchemaNode(location: context.location, file: context.file)
        compiled.append(node)
        for scope in context.scopes { registered[scope.resource + "#" + scope.pointer] = node }

        switch value {
        case .bool(let accepts):
            node.rejectsEverything = !accepts
        case .object(let object):
            compileKeywords(object, into: node, context)
        default:
            problem(context, "a schema must be an object or a boolean, not \(value.typeName)")
        }
        return node
    }

    private mutating func compileKeywords(_ object: JSONObject, into node: SchemaNode, _ context: Context) {
        var seen = Set<String>()
        for member in object {
            let keyword = member.key
            let value = member.value
            let here = context.child(keyword)
            if !seen.insert(keyword).inserted {
                problem(here, "\"\(keyword)\" appears twice")
            }
            switch keyword {
            case "$id":
                break  // handled in compile(_:_:)
            case "$schema":
                if value.stringValue.map({ $0 == Self.draft202012 || $0 == Self.draft202012 + "#" }) != true {
                    problem(here, "$schema must be \"\(Self.draft202012)\": AgentBus implements draft 2020-12 only")
                }
            case "$anchor":
                if let anchor = value.stringValue, Self.isValidAnchor(anchor) {
                    registered[context.base + "#" + anchor] = node
                } else {
                    problem(here, "$anchor must be a name of letters, digits, '-', '_', '.', starting with a letter or '_'")
                }
            case "$ref":
                if let reference = value.stringValue {
                    references.append(PendingReference(
                        node: node, reference: reference, target: SchemaURI.resolve(reference, against: context.base),
                        context: here))
                } else {
                    problem(here, "$ref must be a string")
                }
            case "$defs":
                for (name, subschema) in members(value, here, "$defs") {
                    _ = compile(subschema, context.child(keyword, name))
                }

            case "type":
                node.types = types(value, here)
            case "enum":
                if let values = value.arrayValue { node.enumValues = values } else { problem(here, "enum must be an array") }
            case "const":
                node.constValue = value

            case "minimum": node.minimum = number(value, here)
            case "maximum": node.maximum = number(value, here)
            case "exclusiveMinimum": node.exclusiveMinimum = number(value, here)
            case "exclusiveMaximum": node.exclusiveMaximum = number(value, here)
            case "multipleOf":
                if let divisor = value.numberValue, divisor.value > 0, divisor.value.isFinite {
                    node.multipleOf = divisor
                } else {
                    problem(here, "multipleOf must be a number greater than 0")
                }

            case "minLength": node.minLength = count(value, here)
            case "maxLength": node.maxLength = count(value, here)
            case "pattern":
                node.pattern = pattern(value, here)
            case "format":
                if let name = value.stringValue, let format = SchemaFormat(rawValue: name) {
                    node.format = format
                } else {
                    let supported = SchemaFormat.allCases.map(\.rawValue).joined(separator: ", ")
                    problem(here, "format \(value.jsonText) is not supported (supported: \(supported))")
                }

            case "prefixItems": node.prefixItems = schemas(value, here)
            case "items": node.items = compile(value, here)
            case "contains": node.contains = compile(value, here)
            case "minContains": node.minContains = count(value, here) ?? 1
            case "maxContains": node.maxContains = count(value, here)
            case "minItems": node.minItems = count(value, here)
            case "maxItems": node.maxItems = count(value, here)
            case "uniqueItems":
                if let unique = value.boolValue { node.uniqueItems = unique } else { problem(here, "uniqueItems must be true or false") }

            case "properties":
                for (name, subschema) in members(value, here, keyword) {
                    node.properties.append(.init(name: SchemaPropertyName(name), schema: compile(subschema, context.child(keyword, name))))
                }
            case "required":
                break  // after properties, below
            case "patternProperties":
                for (source, subschema) in members(value, here, keyword) {
                    let propertyContext = context.child(keyword, source)
                    if let compiledPattern = pattern(.string(source), propertyContext) {
                        node.patternProperties.append((compiledPattern, compile(subschema, propertyContext)))
                    }
                }
            case "additionalProperties": node.additionalProperties = compile(value, here)
            case "propertyNames": node.propertyNames = compile(value, here)
            case "minProperties": node.minProperties = count(value, here)
            case "maxProperties": node.maxProperties = count(value, here)
            case "dependentRequired":
                for (name, names) in members(value, here, keyword) {
                    let required = strings(names, context.child(keyword, name)).map(SchemaPropertyName.init)
                    node.dependentRequired.append((SchemaPropertyName(name), required))
                }
            case "dependentSchemas":
                for (name, subschema) in members(value, here, keyword) {
                    node.dependentSchemas.append((SchemaPropertyName(name), compile(subschema, context.child(keyword, name))))
                }

            case "allOf": node.allOf = schemas(value, here)
            case "anyOf": node.anyOf = schemas(value, here)
            case "oneOf": node.oneOf = schemas(value, here)
            case "not": node.not = compile(value, here)
            case "if": node.ifSchema = compile(value, here)
            case "then": node.thenSchema = compile(value, here)
            case "else": node.elseSchema = compile(value, here)

            case _ where Self.annotations.contains(keyword) || keyword.hasPrefix("x-"):
                break
            case _ where Self.unsupported[keyword] != nil:
                problem(here, "keyword \"\(keyword)\" is not supported: \(Self.unsupported[keyword]!)")
            default:
                problem(here, "unknown keyword \"\(keyword)\" (AgentBus rejects keywords it does not implement; extensions start with \"x-\")")
            }
        }
        if let required = object["required"] {
            assignRequired(strings(required, context.child("required")), to: node)
        }
    }

    private func assignRequired(_ names: [String], to node: SchemaNode) {
        var nextBit = 0
        for name in names {
            if nextBit < 64, let index = node.properties.firstIndex(where: { $0.name.name == name }),
                node.properties[index].requiredBit == 0
            {
                node.properties[index].requiredBit = 1 << UInt64(nextBit)
                node.requiredMask |= 1 << UInt64(nextBit)
                nextBit += 1
            } else if !node.requiredElsewhere.contains(where: { $0.name == name }) {
                node.requiredElsewhere.append(SchemaPropertyName(name))
            }
        }
    }

    // MARK: - Keyword values

    private mutating func types(_ value: JSONValue, _ context: Context) -> SchemaTypeSet? {
        let names: [JSONValue] = value.arrayValue ?? [value]
        var result: SchemaTypeSet = []
        for name in names {
            guard let name = name.stringValue, let type = SchemaTypeSet(name: name) else {
                problem(context, "type must be one of null, boolean, object, array, number, integer, string, or an array of them")
                return nil
            }
            result.insert(type)
        }
        return result
    }

    private mutating func number(_ value: JSONValue, _ context: Context) -> Double? {
        guard let number = value.numberValue else {
            problem(context, "must be a number")
            return nil
        }
        guard number.value.isFinite else {
            problem(context, "\(number.text) is too large for a bound (beyond ±1.8e308)")
            return nil
        }
        return number.value
    }

    private mutating func count(_ value: JSONValue, _ context: Context) -> Int? {
        guard let number = value.numberValue, number.isInteger, number.value >= 0, number.value < 1e15 else {
            problem(context, "must be a whole number of at least 0")
            return nil
        }
        return Int(number.value)
    }

    private mutating func pattern(_ value: JSONValue, _ context: Context) -> SchemaPattern? {
        guard let source = value.stringValue else {
            problem(context, "pattern must be a string")
            return nil
        }
        do {
            return try SchemaPattern(source)
        } catch {
            problem(context, error.message)
            return nil
        }
    }

    private mutating func schemas(_ value: JSONValue, _ context: Context) -> [SchemaNode] {
        guard let elements = value.arrayValue, !elements.isEmpty else {
            problem(context, "must be a non-empty array of schemas")
            return []
        }
        return elements.enumerated().map { offset, element in compile(element, context.child(String(offset))) }
    }

    private mutating func members(_ value: JSONValue, _ context: Context, _ keyword: String) -> [(String, JSONValue)] {
        guard let object = value.objectValue else {
            problem(context, "\(keyword) must be an object")
            return []
        }
        return object.members.map { ($0.key, $0.value) }
    }

    private mutating func strings(_ value: JSONValue, _ context: Context) -> [String] {
        guard let elements = value.arrayValue else {
            problem(context, "must be an array of strings")
            return []
        }
        var result: [String] = []
        for element in elements {
            guard let string = element.stringValue else {
                problem(context, "must be an array of strings")
                return []
            }
            if result.contains(string) { problem(context, "lists \"\(string)\" twice") }
            result.append(string)
        }
        return result
    }

    private static func isValidAnchor(_ anchor: String) -> Bool {
        guard let first = anchor.unicodeScalars.first, first.properties.isAlphabetic || first == "_",
            first.isASCII
        else { return false }
        return anchor.unicodeScalars.allSatisfy {
            $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "-_.".unicodeScalars.contains($0))
        }
    }

    private mutating func problem(_ context: Context, _ message: String) {
        problems.append(SchemaLoadError.Problem(file: context.file, location: context.location, message: message))
    }

    // MARK: - Cycles

    /// `{"$ref": "#"}` at the root, or two definitions that `allOf` each other, would recurse
    /// forever on any input; such a loop never reaches a child of the instance.
    private mutating func rejectReferenceCycles() {
        // Depth-first, with an explicit stack: a chain of thousands of `$ref`s must not
        // exhaust the thread's stack here.
        var state: [ObjectIdentifier: Bool] = [:]  // false: on the current path; true: done
        var cyclic: [SchemaNode] = []
        for root in compiled where state[ObjectIdentifier(root)] == nil {
            var stack: [(node: SchemaNode, next: [SchemaNode], position: Int)] = [(root, root.inPlaceSubschemas, 0)]
            state[ObjectIdentifier(root)] = false
            while !stack.isEmpty {
                let top = stack.count - 1
                guard stack[top].position < stack[top].next.count else {
                    state[ObjectIdentifier(stack[top].node)] = true
                    stack.removeLast()
                    continue
                }
                let child = stack[top].next[stack[top].position]
                stack[top].position += 1
                switch state[ObjectIdentifier(child)] {
                case false?: cyclic.append(child)
                case true?: break
                case nil:
                    state[ObjectIdentifier(child)] = false
                    stack.append((child, child.inPlaceSubschemas, 0))
                }
            }
        }
        for node in cyclic {
            problems.append(SchemaLoadError.Problem(
                file: node.file, location: node.location,
                message: "refers back to itself without descending into the value ($ref cycle)"))
        }
    }
}
