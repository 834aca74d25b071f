extension SchemaPattern {
    /// The set of instructions that live threads are at, as a sparse set (Briggs–Torczon): O(1)
    /// insert, membership and clear, over memory the caller provides, so a match allocates nothing.
    struct ThreadList {
        let dense: UnsafeMutablePointer<Int32>
        let sparse: UnsafeMutablePointer<Int32>
        var count: Int32 = 0

        @inline(__always)
        func contains(_ pc: Int32) -> Bool {
            let slot = sparse[Int(pc)]
            return slot < count && dense[Int(slot)] == pc
        }

        @inline(__always)
        mutating func insert(_ pc: Int32) {
            sparse[Int(pc)] = count
            dense[Int(count)] = pc
            count += 1
        }
    }

    /// What the zero-width assertions need to know about the place between two scalars.
    struct Boundary {
        var atStart: Bool
        var atEnd: Bool
        var wordBefore: Bool
        var wordAfter: Bool
    }

    /// One Pike-style simulation of the program over one input. All threads advance in lock step
    /// one scalar at a time, and a thread reaching an instruction another thread already holds is
    /// dropped, so the work is O(input × program) whatever the pattern.
    struct Matcher {
        let instructions: UnsafeBufferPointer<Instruction>
        let sets: UnsafeBufferPointer<CharSet>
        let ranges: UnsafeBufferPointer<UInt32>
        let anchoredAtStart: Bool
        /// Room for every instruction once: each is pushed at most once per closure.
        let stack: UnsafeMutablePointer<Int32>

        func run(_ input: UnsafeBufferPointer<UInt8>, current: ThreadList, next: ThreadList) -> Bool {
            var current = current, next = next
            let end = input.count
            var position = 0
            var (scalar, length) = end > 0 ? Self.decode(input, at: 0) : (0, 0)
            var here = Boundary(atStart: true, atEnd: end == 0, wordBefore: false, wordAfter: end > 0 && Self.isWord(scalar))
            while true {
                if position == 0 || !anchoredAtStart {
                    // A search, not a full match: a new attempt starts at every position.
                    if add(0, to: &current, at: here) { return true }
                } else if current.count == 0 {
                    return false  // anchored, and every attempt has died
                }
                if position == end { return false }
                let nextPosition = position + length
                let (nextScalar, nextLength) = nextPosition < end ? Self.decode(input, at: nextPosition) : (0, 0)
                let there = Boundary(
                    atStart: false, atEnd: nextPosition == end,
                    wordBefore: Self.isWord(scalar), wordAfter: nextPosition < end && Self.isWord(nextScalar)
                )
                for i in 0 ..< Int(current.count) {
                    let pc = current.dense[i]
                    if consumes(instructions[Int(pc)], scalar), add(pc + 1, to: &next, at: there) { return true }
                }
                swap(&current, &next)
                next.count = 0
                (position, scalar, length, here) = (nextPosition, nextScalar, nextLength, there)
            }
        }

        /// Adds `start` and everything reachable from it without consuming input (the ε-closure)
        /// to `list`; true as soon as that reaches `match`, which is all a yes/no search needs.
        @inline(__always)
        private func add(_ start: Int32, to list: inout ThreadList, at boundary: Boundary) -> Bool {
            if list.contains(start) { return false }
            list.insert(start)
            stack[0] = start
            var top = 1
            while top > 0 {
                top -= 1
                let pc = stack[top]
                var first: Int32 = -1, second: Int32 = -1
                switch instructions[Int(pc)] {
                case .match: return true
                case .jump(let target): first = target
                case .split(let a, let b): (first, second) = (a, b)
                case .assert(let assertion): if Self.holds(assertion, at: boundary) { first = pc + 1 }
                case .scalar, .any, .set: continue  // waits in the list for the next scalar
                }
                if first >= 0, !list.contains(first) {
                    list.insert(first)
                    stack[top] = first
                    top += 1
                }
                if second >= 0, !list.contains(second) {
                    list.insert(second)
                    stack[top] = second
                    top += 1
                }
            }
            return false
        }

        @inline(__always)
        private func consumes(_ instruction: Instruction, _ c: UInt32) -> Bool {
            switch instruction {
            case .scalar(let expected): return c == expected
            case .any: return c != 0x0A && c != 0x0D && c != 0x2028 && c != 0x2029
            case .set(let index): return sets[Int(index)].contains(c, ranges: ranges)
            case .assert, .split, .jump, .match: return false
            }
        }

        @inline(__always)
        private static func holds(_ assertion: Assertion, at boundary: Boundary) -> Bool {
            switch assertion {
            case .start: boundary.atStart
            case .end: boundary.atEnd
            case .wordBoundary: boundary.wordBefore != boundary.wordAfter
            case .notWordBoundary: boundary.wordBefore == boundary.wordAfter
            }
        }

        /// `\w` in ECMA-262 without the `i` flag: [A-Za-z0-9_], ASCII only even in `u` mode.
        @inline(__always)
        private static func isWord(_ c: UInt32) -> Bool {
            (c | 0x20) &- 0x61 < 26 || c &- 0x30 < 10 || c == 0x5F
        }

        /// The scalar starting at byte `i` and its length in bytes. The input is valid UTF-8, but a
        /// sequence cut short by the end of the buffer still reads as U+FFFD rather than past it.
        @inline(__always)
        static func decode(_ bytes: UnsafeBufferPointer<UInt8>, at i: Int) -> (UInt32, Int) {
            let b0 = UInt32(bytes[i])
            if b0 < 0x80 { return (b0, 1) }
            let left = bytes.count - i
            @inline(__always) func tail(_ k: Int) -> UInt32 { UInt32(bytes[i + k]) & 0x3F }
            if b0 < 0xE0, left >= 2 { return ((b0 & 0x1F) << 6 | tail(1), 2) }
            if b0 < 0xF0, left >= 3 { return ((b0 & 0x0F) << 12 | tail(1) << 6 | tail(2), 3) }
            if left >= 4 { return ((b0 & 0x07) << 18 | tail(1) << 12 | tail(2) << 6 | tail(3), 4) }
            return (0xFFFD, 1)
        }
    }
}
