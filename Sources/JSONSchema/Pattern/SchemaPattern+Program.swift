extension SchemaPattern {
    /// A zero-width test on the position between two scalars.
    enum Assertion: UInt8, Sendable {
        case start, end, wordBoundary, notWordBoundary
    }

    /// One step of the Thompson NFA. Payloads are `Int32` so an instruction stays 12 bytes and
    /// the program is one flat, trivially copyable array that the matcher walks by index.
    enum Instruction: Sendable, Equatable {
        /// Consume exactly this scalar.
        case scalar(UInt32)
        /// Consume any scalar but a line terminator (`.`).
        case any
        /// Consume a scalar in `Program.sets[index]`.
        case set(Int32)
        /// Continue only if the assertion holds here.
        case assert(Assertion)
        /// Continue at both targets (alternation, repetition).
        case split(Int32, Int32)
        case jump(Int32)
        case match
    }

    /// A compiled character class. Plain data (no arrays inside) so reading it in the hot loop
    /// costs no reference counting: the non-ASCII ranges live in `Program.ranges`.
    struct CharSet: Sendable, Equatable {
        /// The whole answer for ASCII (after negation): bit `c` of `low` for c < 64, of `high` for 64 ≤ c < 128.
        var low: UInt64 = 0
        var high: UInt64 = 0
        /// `Program.ranges[rangeStart ..< rangeStart + 2 * rangeCount]` holds sorted, disjoint
        /// `lo, hi` pairs for the scalars ≥ 0x80 the class names explicitly.
        var rangeStart: Int32 = 0
        var rangeCount: Int32 = 0
        /// General categories (`\p{…}`) in the class, one bit per `Unicode.GeneralCategory`.
        var categories: UInt32 = 0
        /// `[^…]`: applies to the non-ASCII test only; the ASCII bitmap is already negated.
        var negated = false

        @inline(__always)
        func contains(_ c: UInt32, ranges: UnsafeBufferPointer<UInt32>) -> Bool {
            if c < 64 { return (low >> UInt64(c)) & 1 != 0 }
            if c < 128 { return (high >> UInt64(c &- 64)) & 1 != 0 }
            var inside = false
            if categories != 0, let scalar = Unicode.Scalar(c) {
                inside = categories & SchemaPattern.categoryBit(scalar) != 0
            }
            if !inside, rangeCount > 0 {
                // Binary search over the pairs; classes are small, but `\S`-style complements are not.
                var lo = 0, hi = Int(rangeCount)
                let base = Int(rangeStart)
                while lo < hi {
                    let mid = (lo + hi) / 2
                    if c > ranges[base + 2 * mid + 1] { lo = mid + 1 } else { hi = mid }
                }
                inside = lo < Int(rangeCount) && c >= ranges[base + 2 * lo]
            }
            return inside != negated
        }
    }

    /// A class while it is being parsed: ranges over all scalars plus `\p{…}` categories.
    struct ClassBuilder {
        var ranges: [ClosedRange<UInt32>] = []
        var categories: UInt32 = 0

        mutating func add(_ other: ClassBuilder) {
            ranges += other.ranges
            categories |= other.categories
        }

        /// Sorted, merged ranges, so complements and the binary search are simple.
        func normalized() -> [ClosedRange<UInt32>] {
            var merged: [ClosedRange<UInt32>] = []
            for range in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) {
                if let last = merged.last, range.lowerBound <= last.upperBound &+ 1 {
                    merged[merged.count - 1] = last.lowerBound ... max(last.upperBound, range.upperBound)
                } else {
                    merged.append(range)
                }
            }
            return merged
        }

        /// Everything this class does not contain (for `\D`, `\W`, `\S`, `\P{…}`). The escapes that
        /// need it name either ranges or categories, never both, so each complements on its own.
        func complement() -> ClassBuilder {
            var result = ClassBuilder()
            if categories != 0 {
                result.categories = SchemaPattern.allCategories & ~categories
                return result
            }
            var next: UInt32 = 0
            for range in normalized() {
                if range.lowerBound > next { result.ranges.append(next ... range.lowerBound - 1) }
                next = range.upperBound &+ 1
            }
            if next <= 0x10FFFF { result.ranges.append(next ... 0x10FFFF) }
            return result
        }
    }

    /// The compiled pattern: instructions plus the data the `set` instructions point into.
    struct Program: Sendable {
        var instructions: [Instruction] = []
        var sets: [CharSet] = []
        var ranges: [UInt32] = []
        /// Every match must start at offset 0 (the pattern begins with `^` on every branch), so
        /// the matcher need not start a new thread at later positions and can stop early.
        var anchoredAtStart = false

        /// The cap on the program size: counted repetition multiplies it, and the matcher's
        /// state is proportional to it.
        static let instructionLimit = 10_000

        mutating func addSet(_ builder: ClassBuilder, negated: Bool) -> Int32 {
            var set = CharSet(negated: negated)
            let merged = builder.normalized()
            set.categories = builder.categories
            // ASCII is decided once, here, by the slow definition; the matcher then only tests a bit.
            for c: UInt32 in 0 ..< 128 {
                var inside = merged.contains { $0.contains(c) }
                if !inside, builder.categories != 0, let scalar = Unicode.Scalar(c) {
                    inside = builder.categories & SchemaPattern.categoryBit(scalar) != 0
                }
                if inside != negated {
                    if c < 64 { set.low |= 1 << UInt64(c) } else { set.high |= 1 << UInt64(c - 64) }
                }
            }
            set.rangeStart = Int32(ranges.count)
            for range in merged where range.upperBound >= 0x80 {
                ranges += [max(range.lowerBound, 0x80), range.upperBound]
                set.rangeCount += 1
            }
            sets.append(set)
            return Int32(sets.count - 1)
        }
    }

    /// Turns the parsed tree into Thompson-NFA instructions.
    struct Compiler {
        var program: Program
        let source: String

        init(source: String, program: Program) {
            self.source = source
            self.program = program
        }

        private var here: Int32 { Int32(program.instructions.count) }

        @discardableResult
        private mutating func emit(_ instruction: Instruction) throws(SchemaPatternError) -> Int32 {
            guard program.instructions.count < Program.instructionLimit else {
                throw SchemaPatternError(
                    pattern: source,
                    reason: "pattern is too large (more than \(Program.instructionLimit) instructions once counted repetitions are expanded)"
                )
            }
            program.instructions.append(instruction)
            return here - 1
        }

        private mutating func patch(_ at: Int32, _ instruction: Instruction) {
            program.instructions[Int(at)] = instruction
        }

        mutating func compile(_ node: Node) throws(SchemaPatternError) -> Program {
            try emitNode(node)
            try emit(.match)
            program.anchoredAtStart = node.isAnchoredAtStart
            return program
        }

        private mutating func emitNode(_ node: Node) throws(SchemaPatternError) {
            switch node {
            case .empty:
                break
            case .scalar(let c):
                try emit(.scalar(c))
            case .any:
                try emit(.any)
            case .set(let index):
                try emit(.set(index))
            case .assertion(let assertion):
                try emit(.assert(assertion))
            case .concatenation(let nodes):
                for node in nodes { try emitNode(node) }
            case .alternation(let branches):
                // split → branch 1, (split → branch 2, … last branch); every branch jumps to the end.
                var jumps: [Int32] = []
                for (i, branch) in branches.enumerated() {
                    if i < branches.count - 1 {
                        let split = try emit(.match)  // placeholder, patched below
                        try emitNode(branch)
                        jumps.append(try emit(.match))
                        patch(split, .split(split + 1, here))
                    } else {
                        try emitNode(branch)
                    }
                }
                for jump in jumps { patch(jump, .jump(here)) }
            case .repetition(let body, let min, let max):
                try emitRepetition(body, min: min, max: max)
            }
        }

        private mutating func emitRepetition(_ body: Node, min: Int, max: Int?) throws(SchemaPatternError) {
            if max == 0 { return }
            // A body that compiles to nothing (`(?:)`, `(?:){1000000000}`) must not be copied a
            // billion times for nothing: emit it once to find out.
            var lastCopy = here
            if min > 0 {
                try emitNode(body)
                if here == lastCopy { return }
                for _ in 1 ..< min {
                    lastCopy = here
                    try emitNode(body)
                }
            }
            guard let max else {
                if min > 0 {
                    // x{n,}: n copies, the last one looping back on itself (x+).
                    try emit(.split(lastCopy, here + 1))
                } else {
                    // x*: loop: split(body, out); body; jump loop; out:
                    let loop = try emit(.match)  // placeholder, patched below
                    try emitNode(body)
                    try emit(.jump(loop))
                    patch(loop, .split(loop + 1, here))
                }
                return
            }
            // x{n,m}: m - n optional copies, nested so that each is tried only after the one before.
            var exits: [Int32] = []
            for _ in min ..< max {
                exits.append(try emit(.match))
                let start = here
                try emitNode(body)
                if here == start {  // an empty body: drop the placeholder, and the copies to come
                    program.instructions.removeLast()
                    exits.removeLast()
                    break
                }
            }
            for exit in exits { patch(exit, .split(exit + 1, here)) }
        }
    }
}

extension SchemaPattern.Node {
    /// Whether every match must begin at offset 0. Conservative: `false` is always safe.
    var isAnchoredAtStart: Bool {
        switch self {
        case .assertion(.start): return true
        case .concatenation(let nodes):
            for node in nodes {
                if node.isAnchoredAtStart { return true }
                // Other zero-width assertions may come first (`\b^a`); anything else may not.
                guard case .assertion = node else { return false }
            }
            return false
        case .alternation(let branches): return branches.allSatisfy(\.isAnchoredAtStart)
        case .repetition(let body, let min, _): return min > 0 && body.isAnchoredAtStart
        default: return false
        }
    }
}

extension SchemaPattern {
    /// All 30 general categories, bit i for `categoryBit`'s i.
    static let allCategories: UInt32 = (1 << 30) - 1

    /// One bit per `Unicode.GeneralCategory`, so a class can hold any union of categories in a word.
    @inline(__always)
    static func categoryBit(_ scalar: Unicode.Scalar) -> UInt32 {
        let index: UInt32
        switch scalar.properties.generalCategory {
        case .uppercaseLetter: index = 0
        case .lowercaseLetter: index = 1
        case .titlecaseLetter: index = 2
        case .modifierLetter: index = 3
        case .otherLetter: index = 4
        case .nonspacingMark: index = 5
        case .spacingMark: index = 6
        case .enclosingMark: index = 7
        case .decimalNumber: index = 8
        case .letterNumber: index = 9
        case .otherNumber: index = 10
        case .connectorPunctuation: index = 11
        case .dashPunctuation: index = 12
        case .openPunctuation: index = 13
        case .closePunctuation: index = 14
        case .initialPunctuation: index = 15
        case .finalPunctuation: index = 16
        case .otherPunctuation: index = 17
        case .mathSymbol: index = 18
        case .currencySymbol: index = 19
        case .modifierSymbol: index = 20
        case .otherSymbol: index = 21
        case .spaceSeparator: index = 22
        case .lineSeparator: index = 23
        case .paragraphSeparator: index = 24
        case .control: index = 25
        case .format: index = 26
        case .surrogate: index = 27
        case .privateUse: index = 28
        case .unassigned: index = 29
        @unknown default: index = 29
        }
        return 1 << index
    }

    /// The categories an ECMA-262 `General_Category` value (or group) names, by its short name,
    /// long name or alias (Table 67), or nil if it names none.
    static func categories(named name: String) -> UInt32? {
        func bits(_ range: ClosedRange<UInt32>) -> UInt32 { range.reduce(0) { $0 | 1 << $1 } }
        switch name {
        case "L", "Letter": return bits(0 ... 4)
        case "LC", "Cased_Letter": return bits(0 ... 2)
        case "Lu", "Uppercase_Letter": return bits(0 ... 0)
        case "Ll", "Lowercase_Letter": return bits(1 ... 1)
        case "Lt", "Titlecase_Letter": return bits(2 ... 2)
        case "Lm", "Modifier_Letter": return bits(3 ... 3)
        case "Lo", "Other_Letter": return bits(4 ... 4)
        case "M", "Mark", "Combining_Mark": return bits(5 ... 7)
        case "Mn", "Nonspacing_Mark": return bits(5 ... 5)
        case "Mc", "Spacing_Mark": return bits(6 ... 6)
        case "Me", "Enclosing_Mark": return bits(7 ... 7)
        case "N", "Number": return bits(8 ... 10)
        case "Nd", "Decimal_Number", "digit": return bits(8 ... 8)
        case "Nl", "Letter_Number": return bits(9 ... 9)
        case "No", "Other_Number": return bits(10 ... 10)
        case "P", "Punctuation", "punct": return bits(11 ... 17)
        case "Pc", "Connector_Punctuation": return bits(11 ... 11)
        case "Pd", "Dash_Punctuation": return bits(12 ... 12)
        case "Ps", "Open_Punctuation": return bits(13 ... 13)
        case "Pe", "Close_Punctuation": return bits(14 ... 14)
        case "Pi", "Initial_Punctuation": return bits(15 ... 15)
        case "Pf", "Final_Punctuation": return bits(16 ... 16)
        case "Po", "Other_Punctuation": return bits(17 ... 17)
        case "S", "Symbol": return bits(18 ... 21)
        case "Sm", "Math_Symbol": return bits(18 ... 18)
        case "Sc", "Currency_Symbol": return bits(19 ... 19)
        case "Sk", "Modifier_Symbol": return bits(20 ... 20)
        case "So", "Other_Symbol": return bits(21 ... 21)
        case "Z", "Separator": return bits(22 ... 24)
        case "Zs", "Space_Separator": return bits(22 ... 22)
        case "Zl", "Line_Separator": return bits(23 ... 23)
        case "Zp", "Paragraph_Separator": return bits(24 ... 24)
        case "C", "Other": return bits(25 ... 29)
        case "Cc", "Control", "cntrl": return bits(25 ... 25)
        case "Cf", "Format": return bits(26 ... 26)
        case "Cs", "Surrogate": return bits(27 ... 27)
        case "Co", "Private_Use": return bits(28 ... 28)
        case "Cn", "Unassigned": return bits(29 ... 29)
        default: return nil
        }
    }
}
