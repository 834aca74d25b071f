import AgentBus

/// Small text helpers the replay views share, so their columns and percentages look alike.
enum ReplayText {
    /// `text` padded with spaces to `width` characters (counted as characters: the views' box
    /// drawing and markers are one column wide in a terminal).
    static func pad(_ text: String, to width: Int) -> String {
        let count = text.count
        return count >= width ? text : text + String(repeating: " ", count: width - count)
    }

    /// `text` right-aligned in `width` characters.
    static func padLeft(_ text: String, to width: Int) -> String {
        let count = text.count
        return count >= width ? text : String(repeating: " ", count: width - count) + text
    }

    /// `part` as a whole percentage of `total`, rounded to nearest; "–" when `total` is not positive.
    static func percent(_ part: Int64, of total: Int64) -> String {
        guard total > 0 else { return "–" }
        let scaled = (Double(part) * 100 / Double(total)).rounded()
        return "\(Int64(scaled))%"
    }

    /// "1 event", "2 events".
    static func count(_ value: Int, _ singular: String, _ plural: String) -> String {
        "\(value) \(value == 1 ? singular : plural)"
    }
}
