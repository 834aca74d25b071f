import JSONSchema

/// Columns of text for the commands that print tables (`agents`, `costs`): each column as wide as
/// its widest cell, two spaces between columns, text left-aligned and figures right-aligned.
enum TextTable {
    /// The lines of `rows` (the first is the header); the `numeric` columns are right-aligned.
    static func lines(_ rows: [[String]], numeric: Set<Int>) -> [String] {
        guard let first = rows.first else { return [] }
        let widths = (0..<first.count).map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            let cells = row.enumerated().map { column, cell in
                let padding = String(repeating: " ", count: widths[column] - cell.count)
                return numeric.contains(column) ? padding + cell : cell + padding
            }
            var line = cells.joined(separator: "  ").oneLine
            while line.last == " " { line.removeLast() }
            return line
        }
    }
}
