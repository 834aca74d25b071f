extension SchemaPattern {
    /// The parsed pattern. Groups leave no trace: without captures they only bracket.
    indirect enum Node: Sendable {
        case empty
        case scalar(UInt32)
        case any
        /// A class, already compiled into `Program.sets[index]`.
        case set(Int32)
        case assertion(Assertion)
        case concatenation([Node])
        case alternation([Node])
        /// `max == nil` is unbounded. Laziness is dropped: it cannot change a yes/no answer.
        case repetition(Node, min: Int, max: Int?)
    }

    /// A recursive-descent parser for ECMA-262 `Pattern` in Unicode (`u`) mode.
    ///
    /// Lenient only where leniency cannot change a meaning: an escaped ASCII punctuation character
    /// (`\@`, `\#`, `\-` outside a class) is taken literally although `u` mode allows escaping only
    /// syntax characters, `/` and (in a class) `-`, since schemas in the wild do this; and a group
    /// name may be repeated, since names are never used. Escaped letters and digits that ECMA-262 does not
    /// define (`\A`, `\z`, `\h`) are rejected: other dialects give them meanings, and silently
    /// matching a literal letter would be wrong.
    struct Parser {
        let source: String
        private let scalars: [Unicode.Scalar]
        private var position = 0
        /// Collects the character classes while parsing, so a `\d` inside `{6}` is stored once.
        var program = Program()

        /// Each group costs a level of recursion here and in the compiler; an untrusted pattern of
        /// a million `(` must fail, not overflow the stack.
        static let maximumDepth = 100

        init(_ source: String) {
            self.source = source
            self.scalars = Array(source.unicodeScalars)
        }

        mutating func parse() throws(SchemaPatternError) -> Node {
            let node = try parseDisjunction(depth: 0)
            // parseDisjunction stops only at the end or at a ")" that no group opened.
            if position < scalars.count {
                throw error("unbalanced parenthesis: \")\" without a matching \"(\"", at: position)
            }
            return node
        }

        // MARK: Structure

        private mutating func parseDisjunction(depth: Int) throws(SchemaPatternError) -> Node {
            var branches = [try parseAlternative(depth: depth)]
            while peek() == "|" {
                advance()
                branches.append(try parseAlternative(depth: depth))
            }
            return branches.count == 1 ? branches[0] : .alternation(branches)
        }

        private mutating func parseAlternative(depth: Int) throws(SchemaPatternError) -> Node {
            var terms: [Node] = []
            while let c = peek(), c != "|", c != ")" {
                var (term, quantifiable) = try parseTerm(depth: depth)
                let quantifierStart = position
                if let (min, max) = try parseQuantifier() {
                    // u mode forbids quantified assertions (`^*`, `\b+`).
                    guard quantifiable else { throw nothingToRepeat(at: quantifierStart) }
                    term = .repetition(term, min: min, max: max)
                }
                terms.append(term)
            }
            switch terms.count {
            case 0: return .empty
            case 1: return terms[0]
            default: return .concatenation(terms)
            }
        }

        /// An atom or an assertion, and whether a quantifier may follow it.
        private mutating func parseTerm(depth: Int) throws(SchemaPatternError) -> (Node, Bool) {
            let start = position
            guard let c = peek() else { return (.empty, false) }
            advance()
            switch c {
            case "^": return (.assertion(.start), false)
            case "$": return (.assertion(.end), false)
            case ".": return (.any, true)
            case "(": return (try parseGroup(start: start, depth: depth), true)
            case "[": return (try parseClass(start: start), true)
            case "\\": return try parseAtomEscape(start: start)
            case "*", "+", "?":
                throw nothingToRepeat(at: start)
            case "{":
                // `{2}` with nothing before it is a dangling quantifier; any other `{` must be escaped.
                if peek()?.decimalDigit != nil { throw nothingToRepeat(at: start) }
                throw error("lone \"{\" must be escaped as \"\\{\"", at: start)
            case "}", "]":
                throw error("lone \"\(c)\" must be escaped as \"\\\(c)\"", at: start)
            default:
                return (.scalar(c.value), true)
            }
        }

        private mutating func parseGroup(start: Int, depth: Int) throws(SchemaPatternError) -> Node {
            guard depth < Self.maximumDepth else {
                throw error("groups are nested more than \(Self.maximumDepth) deep", at: start)
            }
            if peek() == "?" {
                advance()
                switch peek() {
                case ":":
                    advance()
                case "=", "!":
                    throw error("lookahead \"(?\(peek() ?? "=")\" is not supported", at: start)
                case "<" where peek(1) == "=" || peek(1) == "!":
                    throw error("lookbehind \"(?<\(peek(1) ?? "=")\" is not supported", at: start)
                case "<":
                    advance()
                    try parseGroupName(start: start)
                default:
                    let what = peek().map { "(?\($0)" } ?? "(?"
                    throw error("group syntax \"\(what)\" is not supported (only \"(\", \"(?:\" and \"(?<name>\")", at: start)
                }
            }
            let inner = try parseDisjunction(depth: depth + 1)
            guard peek() == ")" else {
                throw error("unbalanced parenthesis: \"(\" is never closed", at: start)
            }
            advance()
            return inner
        }

        /// `name>` after `(?<`: an identifier; the name is not kept, since nothing refers to it.
        private mutating func parseGroupName(start: Int) throws(SchemaPatternError) {
            var length = 0
            while let c = peek(), c != ">" {
                let valid = length == 0
                    ? c == "$" || c == "_" || c.properties.isIDStart
                    : c == "$" || c.properties.isIDContinue || c == "\u{200C}" || c == "\u{200D}"
                guard valid else { throw error("invalid group name", at: position) }
                advance()
                length += 1
            }
            guard peek() == ">", length > 0 else { throw error("invalid group name", at: start) }
            advance()
        }

        /// `*`, `+`, `?`, `{n}`, `{n,}`, `{n,m}`, each optionally followed by the lazy `?`.
        private mutating func parseQuantifier() throws(SchemaPatternError) -> (Int, Int?)? {
            let start = position
            let bounds: (Int, Int?)
            switch peek() {
            case "*": advance(); bounds = (0, nil)
            case "+": advance(); bounds = (1, nil)
            case "?": advance(); bounds = (0, 1)
            case "{":
                guard let braces = try parseBraces() else {
                    throw error("incomplete quantifier (a literal \"{\" must be escaped as \"\\{\")", at: start)
                }
                bounds = braces
            default: return nil
            }
            if peek() == "?" { advance() }
            return bounds
        }

        /// `{n}`, `{n,}` or `{n,m}`; nil (consuming nothing) if the text is not one of them.
        private mutating func parseBraces() throws(SchemaPatternError) -> (Int, Int?)? {
            let start = position
            advance()
            guard let min = parseNumber() else { position = start; return nil }
            var max: Int? = min
            var maxStart = position
            if peek() == "," {
                advance()
                maxStart = position
                max = parseNumber()
            }
            guard peek() == "}" else { position = start; return nil }
            advance()
            if let max, max < min { throw error("quantifier range is reversed", at: maxStart) }
            return (min, max)
        }

        /// Decimal digits, saturating: any count that large fails the program-size limit anyway.
        private mutating func parseNumber() -> Int? {
            var value: Int?
            while let c = peek(), let digit = c.decimalDigit {
                value = min((value ?? 0) * 10 + digit, Int(Int32.max))
                advance()
            }
            return value
        }

        // MARK: Escapes

        private mutating func parseAtomEscape(start: Int) throws(SchemaPatternError) -> (Node, Bool) {
            guard let c = peek() else { throw error("pattern ends with a lone backslash", at: start) }
            switch c {
            case "b": advance(); return (.assertion(.wordBoundary), false)
            case "B": advance(); return (.assertion(.notWordBoundary), false)
            case "1" ... "9":
                while let d = peek(), d.decimalDigit != nil { advance() }
                throw error("backreference \"\(text(from: start))\" is not supported", at: start)
            case "k":
                advance()
                if peek() == "<" { while let d = peek(), d != ">" { advance() }; advance() }
                throw error("backreference \"\(text(from: start))\" is not supported", at: start)
            default:
                if let builder = try parseClassEscape() {
                    return (.set(program.addSet(builder, negated: false)), true)
                }
                return (.scalar(try parseCharacterEscape(start: start, inClass: false)), true)
            }
        }

        /// `\d \D \w \W \s \S \p{…} \P{…}` after the backslash, or nil (consuming nothing).
        private mutating func parseClassEscape() throws(SchemaPatternError) -> ClassBuilder? {
            let start = position - 1
            guard let c = peek() else { return nil }
            var builder = ClassBuilder()
            switch c {
            case "d", "D": builder.ranges = [0x30 ... 0x39]
            case "w", "W": builder.ranges = [0x30 ... 0x39, 0x41 ... 0x5A, 0x5F ... 0x5F, 0x61 ... 0x7A]
            case "s", "S": builder.ranges = Self.whiteSpace
            case "p", "P":
                advance()
                builder = try parseProperty(start: start)
                return c == "P" ? builder.complement() : builder
            default: return nil
            }
            advance()
            return c.properties.isUppercase ? builder.complement() : builder
        }

        /// ECMA-262 WhiteSpace and LineTerminator: what `\s` matches.
        private static let whiteSpace: [ClosedRange<UInt32>] = [
            0x09 ... 0x0D, 0x20 ... 0x20, 0xA0 ... 0xA0, 0x1680 ... 0x1680, 0x2000 ... 0x200A,
            0x2028 ... 0x2029, 0x202F ... 0x202F, 0x205F ... 0x205F, 0x3000 ... 0x3000, 0xFEFF ... 0xFEFF,
        ]

        /// `{Name}` or `{General_Category=Name}` after `\p`: General_Category only (no scripts or
        /// binary properties, which would need Unicode tables of our own), plus Any, ASCII, Assigned.
        private mutating func parseProperty(start: Int) throws(SchemaPatternError) -> ClassBuilder {
            guard peek() == "{" else { throw error("invalid Unicode property escape (expected \"{\")", at: start) }
            var name = ""
            advance()
            while let c = peek(), c != "}" {
                name.unicodeScalars.append(c)
                advance()
            }
            guard peek() == "}" else { throw error("unterminated Unicode property escape", at: start) }
            advance()
            var value = Substring(name)
            if let equals = name.firstIndex(of: "=") {
                let key = name[..<equals]
                value = name[name.index(after: equals)...]
                if key != "General_Category" && key != "gc" { value = "" }
            }
            var builder = ClassBuilder()
            switch value {
            case "Any": builder.categories = SchemaPattern.allCategories
            case "ASCII": builder.ranges = [0 ... 0x7F]
            case "Assigned": builder.categories = SchemaPattern.allCategories & ~(1 << 29)
            default:
                guard let categories = SchemaPattern.categories(named: String(value)) else {
                    throw error(
                        "Unicode property \"\(text(from: start))\" is not supported (only General_Category values such as L, Lu, Ll, N, Nd, and Any, ASCII, Assigned)",
                        at: start
                    )
                }
                builder.categories = categories
            }
            return builder
        }

        /// An escape that stands for one scalar, after the backslash.
        private mutating func parseCharacterEscape(start: Int, inClass: Bool) throws(SchemaPatternError) -> UInt32 {
            guard let c = peek() else { throw error("pattern ends with a lone backslash", at: start) }
            advance()
            switch c {
            case "t": return 0x09
            case "n": return 0x0A
            case "v": return 0x0B
            case "f": return 0x0C
            case "r": return 0x0D
            case "b" where inClass: return 0x08  // backspace, as in ECMA-262
            case "0":
                if peek()?.decimalDigit != nil {
                    throw error("octal escape \"\(text(from: start))\" is not allowed", at: start)
                }
                return 0
            case "c":
                guard let letter = peek(), letter.isASCII, letter.properties.isAlphabetic else {
                    throw error("invalid control escape \"\\c\" (expected a letter A–Z or a–z)", at: start)
                }
                advance()
                return letter.value % 32
            case "x":
                guard let value = readHex(digits: 2) else {
                    throw error("invalid escape \"\\x\" (expected two hex digits)", at: start)
                }
                return value
            case "u":
                return try parseUnicodeEscape(start: start)
            default:
                if c.isASCII, c.properties.isAlphabetic || c.decimalDigit != nil {
                    let place = inClass ? " in a character class" : ""
                    throw error("invalid escape \"\\\(c)\"\(place)", at: start)
                }
                return c.value  // syntax characters, "/", "-" and other punctuation stand for themselves
            }
        }

        /// After `\u`: `{H…}` or `HHHH`, combining a `\uD83D\uDE00` surrogate pair into one scalar.
        /// A lone surrogate is kept as its value; it can never equal a scalar of valid UTF-8 input.
        private mutating func parseUnicodeEscape(start: Int) throws(SchemaPatternError) -> UInt32 {
            if peek() == "{" {
                advance()
                var value: UInt32 = 0
                var digits = 0
                while let c = peek(), let digit = c.hexDigit {
                    value = min(value * 16 + digit, 0x110000)
                    digits += 1
                    advance()
                }
                guard digits > 0, peek() == "}", value <= 0x10FFFF else {
                    throw error("invalid escape \"\\u{…}\" (expected 1 or more hex digits up to 10FFFF, then \"}\")", at: start)
                }
                advance()
                return value
            }
            guard let lead = readHex(digits: 4) else {
                throw error("invalid escape \"\\u\" (expected four hex digits or \"{…}\")", at: start)
            }
            if (0xD800 ... 0xDBFF).contains(lead), peek() == "\\", peek(1) == "u" {
                let save = position
                position += 2
                if let trail = readHex(digits: 4), (0xDC00 ... 0xDFFF).contains(trail) {
                    return 0x10000 + (lead - 0xD800) << 10 + (trail - 0xDC00)
                }
                position = save
            }
            return lead
        }

        // MARK: Classes

        private enum ClassAtom {
            case scalar(UInt32)
            case set(ClassBuilder)
        }

        private mutating func parseClass(start: Int) throws(SchemaPatternError) -> Node {
            var negated = false
            if peek() == "^" {
                advance()
                negated = true
            }
            var builder = ClassBuilder()
            while true {
                guard let c = peek() else { throw error("unterminated character class: \"[\" is never closed", at: start) }
                if c == "]" {
                    advance()
                    break
                }
                let atomStart = position
                let first = try parseClassAtom()
                if peek() == "-", let after = peek(1), after != "]" {
                    advance()
                    let second = try parseClassAtom()
                    guard case .scalar(let lo) = first, case .scalar(let hi) = second else {
                        throw error("a class escape such as \"\\d\" cannot be the end of a range", at: atomStart)
                    }
                    guard lo <= hi else { throw error("character class range is reversed", at: atomStart) }
                    builder.ranges.append(lo ... hi)
                } else {
                    switch first {
                    case .scalar(let c): builder.ranges.append(c ... c)
                    case .set(let set): builder.add(set)
                    }
                }
            }
            // `[.]`, `[$]`: a one-scalar class is the scalar, which matches faster.
            if !negated, builder.categories == 0, builder.ranges.count == 1,
               let only = builder.ranges.first, only.lowerBound == only.upperBound {
                return .scalar(only.lowerBound)
            }
            return .set(program.addSet(builder, negated: negated))
        }

        private mutating func parseClassAtom() throws(SchemaPatternError) -> ClassAtom {
            let start = position
            guard let c = peek() else { throw error("unterminated character class", at: start) }
            advance()
            guard c == "\\" else { return .scalar(c.value) }
            guard let escaped = peek() else { throw error("pattern ends with a lone backslash", at: start) }
            switch escaped {
            case "B":
                throw error("\"\\B\" is not allowed in a character class", at: start)
            case "k", "1" ... "9":
                throw error("invalid escape \"\\\(escaped)\" in a character class", at: start)
            default:
                if let builder = try parseClassEscape() { return .set(builder) }
                return .scalar(try parseCharacterEscape(start: start, inClass: true))
            }
        }

        // MARK: Reading

        private func peek(_ ahead: Int = 0) -> Unicode.Scalar? {
            position + ahead < scalars.count ? scalars[position + ahead] : nil
        }

        private mutating func advance() { position += 1 }

        private mutating func readHex(digits: Int) -> UInt32? {
            var value: UInt32 = 0
            for i in 0 ..< digits {
                guard let digit = peek(i)?.hexDigit else { return nil }
                value = value * 16 + digit
            }
            position += digits
            return value
        }

        private func text(from start: Int) -> String {
            var text = ""
            text.unicodeScalars.append(contentsOf: scalars[start ..< min(position, scalars.count)])
            return text
        }

        private func error(_ reason: String, at offset: Int) -> SchemaPatternError {
            SchemaPatternError(pattern: source, reason: reason, offset: offset)
        }

        private func nothingToRepeat(at offset: Int) -> SchemaPatternError {
            let quantifier = offset < scalars.count ? String(scalars[offset]) : ""
            return error("nothing to repeat before quantifier \"\(quantifier)\"", at: offset)
        }
    }
}

private extension Unicode.Scalar {
    var decimalDigit: Int? { ("0" ... "9").contains(self) ? Int(value - 0x30) : nil }

    var hexDigit: UInt32? {
        switch self {
        case "0" ... "9": value - 0x30
        case "a" ... "f": value - 0x61 + 10
        case "A" ... "F": value - 0x41 + 10
        default: nil
        }
    }
}
