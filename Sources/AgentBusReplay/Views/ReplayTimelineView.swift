import AgentBus
import JSONSchema

/// `agentbus replay --format timeline`: every hop (one agent handling one event) in time order,
/// with how long the event sat in the queue against how long the agent worked on it.
///
/// ```
/// timeline of corr-1 · 40ms from 2023-11-14T22:13:20.000Z (bar: 50 columns for the whole workflow)
///   legend: · waiting in the queue, █ processing, ◆ published but not handled
///    +0ms  credit-check  loan.application.received.v1  ok             wait 11ms  processing 3ms   |·············█████        |
///   +13ms  audit         credit.checked.v1             dead-lettered  wait 7ms   processing 5ms   |        ·········███████    |
/// total over 2 hops: waiting 18ms (69%) · processing 8ms (31%)
/// ```
///
/// When some hop called a model, a column before the bar says what its calls used (as the tree
/// does) and a last line adds up the workflow's calls, each counted once (``ModelCallTally``).
///
/// Rows are ordered by when the hop began: when the event became available to the agent (see
/// `ReplayHop` for why a retried handling starts from the previous attempt's end).
///
/// Queue wait versus processing is the split that tells a slow agent from a starved one: a long
/// wait means too few instances or a busy partition, long processing means the handler itself.
/// The bar is scaled to the workflow's whole duration so rows can be compared by eye.
public enum ReplayTimelineView {
    /// Width of the bar, in columns: fits beside the figures in a 160-column terminal.
    public static let barWidth = 50

    /// Renders `workflow`: a header, one row per hop (and one per event nobody handled), and a
    /// totals line.
    public static func render(_ workflow: ReplayWorkflow) -> String {
        let scale = Scale(start: workflow.startedAt, duration: max(workflow.duration, 1), width: barWidth)
        let hops = ReplayHop.all(in: workflow)
        var rows: [Row] = hops.map { hop in
            let node = workflow.nodes[hop.node]
            let handling = node.handlings[hop.handling]
            return Row(
                at: hop.readyAt, agent: handling.agent, type: node.type,
                outcome: handling.outcome.rawValue,
                figures: [
                    "wait \(ReplayDuration.format(hop.wait))\(hop.clockSkew ? " (clocks skewed)" : "")",
                    "processing \(ReplayDuration.format(hop.processing))",
                ],
                model: handling.modelCalls.isEmpty ? "" : ModelCallText.summary(handling.modelTotals),
                bar: scale.bar(ready: hop.readyAt, started: hop.startedAt, finished: hop.startedAt + hop.processing))
        }
        for node in workflow.nodes where node.handlings.isEmpty {
            let note = node.awaitedBy.isEmpty
                ? "no consumer" : "awaited by " + node.awaitedBy.joined(separator: ", ")
            rows.append(Row(
                at: node.time, agent: "(" + node.publisherName + ")", type: node.type,
                outcome: "published", figures: [note, ""], model: "", bar: scale.point(node.time)))
        }
        // Publish-only rows slot in by time; on equal times the hop's order from ReplayHop stands.
        rows = rows.enumerated()
            .sorted { ($0.element.at, $0.offset) < ($1.element.at, $1.offset) }
            .map(\.element)

        let wait = hops.reduce(0) { $0 + $1.wait }
        let processing = hops.reduce(0) { $0 + $1.processing }
        let skewed = hops.filter(\.clockSkew).count

        let offsets = rows.map { "+" + ReplayDuration.format($0.at - workflow.startedAt) }
        let widths = (
            offset: offsets.map(\.count).max() ?? 0,
            agent: rows.map(\.agent.count).max() ?? 0,
            type: rows.map { $0.type.oneLine.count }.max() ?? 0,
            outcome: rows.map(\.outcome.count).max() ?? 0,
            wait: rows.map(\.figures[0].count).max() ?? 0,
            processing: rows.map(\.figures[1].count).max() ?? 0,
            model: rows.map(\.model.count).max() ?? 0)

        var lines = [
            "timeline of \(workflow.correlationID) · \(ReplayDuration.format(workflow.duration)) from "
                + "\(EventTime(millisecondsSinceEpoch: workflow.startedAt))"
                + " (bar: \(barWidth) columns for the whole workflow)",
            "  legend: · waiting in the queue, █ processing, ◆ published but not handled",
        ]
        for (row, offset) in zip(rows, offsets) {
            var columns = [
                ReplayText.padLeft(offset, to: widths.offset),
                ReplayText.pad(row.agent, to: widths.agent),
                ReplayText.pad(row.type.oneLine, to: widths.type),
                ReplayText.pad(row.outcome, to: widths.outcome),
                ReplayText.pad(row.figures[0], to: widths.wait),
                ReplayText.pad(row.figures[1], to: widths.processing),
            ]
            // The model column only when some hop called a model.
            if widths.model > 0 { columns.append(ReplayText.pad(row.model, to: widths.model)) }
            columns.append("|" + row.bar + "|")
            lines.append("  " + columns.joined(separator: "  "))
        }
        let busy = wait + processing
        var totals = "total over " + ReplayText.count(hops.count, "hop", "hops")
            + ": waiting \(ReplayDuration.format(wait)) (\(ReplayText.percent(wait, of: busy)))"
            + " · processing \(ReplayDuration.format(processing)) (\(ReplayText.percent(processing, of: busy)))"
        if skewed > 0 {
            totals += " · " + ReplayText.count(skewed, "hop", "hops") + " started before the event was published"
                + " (clocks skewed; counted as no wait)"
        }
        lines.append(totals)
        let usage = workflow.modelTotals
        if !usage.isEmpty { lines.append(ModelCallText.total(usage)) }
        return lines.joined(separator: "\n")
    }

    /// One line of the table, before padding.
    private struct Row {
        /// Where the row sits in time (the hop's ready time, or the publish time), ms since 1970.
        var at: Int64
        var agent: String
        var type: String
        var outcome: String
        /// The wait and processing columns.
        var figures: [String]
        /// What the hop's model calls used; empty when it called none.
        var model: String
        var bar: String
    }

    /// Maps instants onto the bar's columns.
    struct Scale {
        var start: Int64
        /// Milliseconds the bar spans; at least 1, so an instant workflow still draws.
        var duration: Int64
        var width: Int

        /// The column `time` falls in, clamped to the bar.
        func column(_ time: Int64) -> Int {
            let offset = min(max(time - start, 0), duration)
            return min(Int(offset * Int64(width) / duration), width - 1)
        }

        /// The first column after `time`'s, rounding up, clamped to the bar: where a span
        /// ending at `time` stops.
        func columnEnd(_ time: Int64) -> Int {
            let offset = min(max(time - start, 0), duration)
            return Int((offset * Int64(width) + duration - 1) / duration)
        }

        /// `·` from ready to started, `█` from started to finished (at least one column, so
        /// even a 1 ms handling is visible), spaces elsewhere.
        func bar(ready: Int64, started: Int64, finished: Int64) -> String {
            let waitStart = column(ready)
            let processingStart = max(column(started), waitStart)
            let processingEnd = min(max(columnEnd(finished), processingStart + 1), width)
            return String(repeating: " ", count: waitStart)
                + String(repeating: "·", count: processingStart - waitStart)
                + String(repeating: "█", count: processingEnd - processingStart)
                + String(repeating: " ", count: width - processingEnd)
        }

        /// A single `◆` at `time`.
        func point(_ time: Int64) -> String {
            let at = column(time)
            return String(repeating: " ", count: at) + "◆" + String(repeating: " ", count: width - at - 1)
        }
    }
}
