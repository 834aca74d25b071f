import AgentBus

/// Rows of one kind grouped by a symbol (correlation ID), as compressed sparse rows: the rows of
/// symbol `s` are `rows[starts[s] ..< starts[s + 1]]`. Two arrays for the whole log instead of
/// an array per workflow.
struct ReplayGrouping: Sendable {
    private var starts: [Int32]
    private var rows: [Int32]

    /// Groups `count` rows by `key(row)` (a symbol below `symbolCount`, or negative for none),
    /// keeping each group in row order.
    init(count: Int, symbolCount: Int, key: (Int) -> Int32) {
        var starts = [Int32](repeating: 0, count: symbolCount + 1)
        for row in 0..<count {
            let symbol = key(row)
            if symbol >= 0 { starts[Int(symbol) + 1] += 1 }
        }
        for symbol in 0..<symbolCount { starts[symbol + 1] += starts[symbol] }
        var next = starts
        var rows = [Int32](repeating: 0, count: Int(starts[symbolCount]))
        for row in 0..<count {
            let symbol = key(row)
            guard symbol >= 0 else { continue }
            rows[Int(next[Int(symbol)])] = Int32(row)
            next[Int(symbol)] += 1
        }
        self.starts = starts
        self.rows = rows
    }

    /// The rows grouped under `symbol`.
    subscript(symbol: Int32) -> ArraySlice<Int32> {
        guard symbol >= 0, Int(symbol) + 1 < starts.count else { return [] }
        return rows[Int(starts[Int(symbol)])..<Int(starts[Int(symbol) + 1])]
    }
}
