/// A compiled JSON Schema `pattern` (also used for `patternProperties` keys).
///
/// Semantics are ECMA-262 regular expressions with the `u` flag, as JSON Schema prescribes:
/// matching is over Unicode scalars, and it is a *search*: the pattern is not implicitly anchored,
/// so `a+` matches "xxaayy"; `^` and `$` anchor at the ends of the whole string.
///
/// The validator runs patterns on hundreds of thousands of events a second, so this is a small
/// Thompson-NFA engine rather than `Regex` or `NSRegularExpression`: compile once, then each match
/// is a Pike-style simulation in time linear in the input (no backtracking blow-up on `(a*)*b`),
/// with its state on the stack and no heap allocation. Only a yes/no answer is computed, so there
/// are no captures and lazy quantifiers behave as greedy ones.
///
/// Not supported, and rejected when compiling: lookahead and lookbehind, backreferences, and
/// `\p{…}` properties other than General_Category values (plus `Any`, `ASCII`, `Assigned`).
struct SchemaPattern: Sendable, Hashable {
    /// The pattern as written in the schema; two patterns are equal when their sources are.
    let source: String
    private let program: Program
    /// The fast path for identifier-shaped patterns, when this is one.
    let straightLine: StraightLine?

    init(_ source: String) throws(SchemaPatternError) {
        var parser = Parser(source)
        let tree = try parser.parse()
        var compiler = Compiler(source: source, program: parser.program)
        self.program = try compiler.compile(tree)
        self.straightLine = StraightLine(program)
        self.source = source
    }

    static func == (lhs: SchemaPattern, rhs: SchemaPattern) -> Bool { lhs.source == rhs.source }

    func hash(into hasher: inout Hasher) { hasher.combine(source) }

    /// Whether the pattern matches anywhere in `string`.
    func matches(_ string: String) -> Bool {
        if let result = string.utf8.withContiguousStorageIfAvailable({ matches($0) }) { return result }
        // Bridged or otherwise non-contiguous strings: copy once.
        return Array(string.utf8).withUnsafeBufferPointer { matches($0) }
    }

    /// Whether the pattern matches anywhere in `utf8`, which must be valid UTF-8 (the caller has
    /// checked it); positions are byte offsets, but every step consumes one whole scalar.
    func matches(_ utf8: UnsafeBufferPointer<UInt8>) -> Bool {
        if let straightLine {
            return program.sets.withUnsafeBufferPointer { sets in
                program.ranges.withUnsafeBufferPointer { straightLine.matches(utf8, sets: sets, ranges: $0) }
            }
        }
        return program.instructions.withUnsafeBufferPointer { instructions in
            program.sets.withUnsafeBufferPointer { sets in
                program.ranges.withUnsafeBufferPointer { ranges in
                    let size = instructions.count
                    // Two thread lists, the closure stack and the marks. This is on the stack for
                    // any ordinary pattern; `withUnsafeTemporaryAllocation` itself falls back to the
                    // heap when a program near the size limit would not fit.
                    return withUnsafeTemporaryAllocation(of: Int32.self, capacity: 4 * size) { scratch in
                        guard let base = scratch.baseAddress else { return false }
                        // Generation 0 is never current, so zeroed marks mean "nothing reached yet".
                        scratch.initialize(repeating: 0)
                        let matcher = Matcher(
                            instructions: instructions, sets: sets, ranges: ranges,
                            anchoredAtStart: program.anchoredAtStart, stack: base + 2 * size, marks: base + 3 * size, size: size
                        )
                        return matcher.run(
                            utf8, current: ThreadList(pcs: base), next: ThreadList(pcs: base + size)
                        )
                    }
                }
            }
        }
    }
}
