extension SchemaPattern {
    /// The threads waiting to consume the next scalar: the consuming instructions they are at.
    /// Non-consuming instructions are followed at once (the ε-closure) and never listed.
    struct ThreadList {
        let pcs: UnsafeMutablePointer<Int32>
        var count = 0
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
        /// `marks[pc] == generation` when `pc` has been reached at the current position, so a
        /// second thread arriving there is dropped. Bumping the generation clears every mark at once.
        let marks: UnsafeMutablePointer<Int32>
        let size: Int

        func run(_ input: UnsafeBufferPointer<UInt8>, current: ThreadList, next: ThreadList) -> Bool {
            var current = current, next = next
            var generation: Int32 = 1
            let end = input.count
            var position = 0
            var (scalar, length) = end > 0 ? Self.decode(input, at: 0) : (0, 0)
            var here = Boundary(atStart: true, atEnd: end == 0, wordBefore: false, wordAfter: end > 0 && Self.isWord(scalar))
            while true {
                if position == 0 || !anchoredAtStart {
                    // A search, not a full match: a new attempt starts at every position.
                    if add(0, to: &current, generation: generation, at: here) { return true }
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
                if generation == Int32.max {
                    // Only after two billion scalars: clear the marks for real and start over.
                    marks.update(repeating: 0, count: size)
                    generation = 0
                }
                generation += 1
                next.count = 0
                for i in 0 ..< current.count {
                    let pc = current.pcs[i]
                    if consumes(instructions[Int(pc)], scalar),
                       add(pc + 1, to: &next, generation: generation, at: there) {
                        return true
                    }
                }
                swap(&current, &next)
                (position, scalar, length, here) = (nextPosition, nextScalar, nextLength, there)
            }
        }

        /// Follows everything reachable from `start` without consuming input (the ε-closure),
        /// listing the consuming instructions it reaches in `list`; true as soon as it reaches
        /// `match`, which is all a yes/no search needs.
        @inline(__always)
        private func add(_ start: Int32, to list: inout ThreadList, generation: Int32, at boundary: Boundary) -> Bool {
            if marks[Int(start)] == generation { return false }
            marks[Int(start)] = generation
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
                case .scalar, .any, .set:
                    list.pcs[list.count] = pc
                    list.count += 1
                }
                if first >= 0, marks[Int(first)] != generation {
                    marks[Int(first)] = generation
                    stack[top] = first
                    top += 1
                }
                if second >= 0, marks[Int(second)] != generation {
                    marks[Int(second)] = generation
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
