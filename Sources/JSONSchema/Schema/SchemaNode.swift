/// One compiled schema: the keywords of a schema object, checked and converted once, ready to
/// validate many instances.
///
/// Built by ``SchemaCompiler`` (which also links `$ref`s, so nodes form a graph that may have
/// cycles) and never changed afterwards; that is why sharing it across threads is safe.
final class SchemaNode: @unchecked Sendable {
    struct Property {
        let name: SchemaPropertyName
        let schema: SchemaNode
        /// The bit of this property in ``SchemaNode/requiredMask``, or 0 when it is optional.
        var requiredBit: UInt64 = 0
    }

    /// Where the schema is, for load errors: `<resource>#<JSON pointer>`.
    let location: String
    /// The file the schema came from, for load errors.
    let file: String?

    /// `true` or `{}`: nothing to check.
    var acceptsEverything = true
    /// The `false` schema.
    var rejectsEverything = false

    var types: SchemaTypeSet?
    var constValue: JSONValue?
    var enumValues: [JSONValue]?

    var minimum: Double?
    var maximum: Double?
    var exclusiveMinimum: Double?
    var exclusiveMaximum: Double?
    var multipleOf: JSONNumber?

    var minLength: Int?
    var maxLength: Int?
    var pattern: SchemaPattern?
    var format: SchemaFormat?

    var prefixItems: [SchemaNode] = []
    var items: SchemaNode?
    var contains: SchemaNode?
    var minContains = 1
    var maxContains: Int?
    var minItems: Int?
    var maxItems: Int?
    var uniqueItems = false

    var properties: [Property] = []
    /// Bits of the required names found in ``properties``: one mask test checks them all.
    var requiredMask: UInt64 = 0
    /// Required names outside ``properties`` (or past 64), checked by scanning the members.
    var requiredElsewhere: [SchemaPropertyName] = []
    var patternProperties: [(pattern: SchemaPattern, schema: SchemaNode)] = []
    var additionalProperties: SchemaNode?
    var propertyNames: SchemaNode?
    var minProperties: Int?
    var maxProperties: Int?
    var dependentRequired: [(name: SchemaPropertyName, requires: [SchemaPropertyName])] = []
    var dependentSchemas: [(name: SchemaPropertyName, schema: SchemaNode)] = []

    var reference: SchemaNode?
    var allOf: [SchemaNode] = []
    var anyOf: [SchemaNode] = []
    var oneOf: [SchemaNode] = []
    var not: SchemaNode?
    var ifSchema: SchemaNode?
    var thenSchema: SchemaNode?
    var elseSchema: SchemaNode?

    /// Summaries so validation skips whole groups of keywords with one test.
    var checksNumbers = false
    var checksStrings = false
    var checksArrays = false
    var checksObjects = false
    var checksInPlace = false

    init(location: String, file: String?) {
        self.location = location
        self.file = file
    }

    /// Computes the summary flags; called once after compiling and linking.
    func finish() {
        checksNumbers = minimum != nil || maximum != nil || exclusiveMinimum != nil || exclusiveMaximum != nil
            || multipleOf != nil
        checksStrings = minLength != nil || maxLength != nil || pattern != nil || format != nil
        checksArrays = !prefixItems.isEmpty || items != nil || contains != nil || minItems != nil || maxItems != nil
            || uniqueItems
        checksObjects = !properties.isEmpty || requiredMask != 0 || !requiredElsewhere.isEmpty
            || !patternProperties.isEmpty || additionalProperties != nil || propertyNames != nil
            || minProperties != nil || maxProperties != nil || !dependentRequired.isEmpty
        checksInPlace = reference != nil || !allOf.isEmpty || !anyOf.isEmpty || !oneOf.isEmpty || not != nil
            || ifSchema != nil || !dependentSchemas.isEmpty
        acceptsEverything = !rejectsEverything && types == nil && constValue == nil && enumValues == nil
            && !checksNumbers && !checksStrings && !checksArrays && !checksObjects && !checksInPlace
    }

    /// The schemas this one applies to the same instance (not to a child): a cycle among these
    /// would never end, so the compiler rejects it.
    var inPlaceSubschemas: [SchemaNode] {
        var result = allOf + anyOf + oneOf
        for schema in [reference, not, ifSchema, thenSchema, elseSchema] { if let schema { result.append(schema) } }
        result += dependentSchemas.map(\.schema)
        return result
    }
}
