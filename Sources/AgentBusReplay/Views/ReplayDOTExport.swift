import AgentBus

/// `agentbus replay --format dot`: the causal graph for Graphviz (`dot -Tsvg`).
///
/// One box per event (type, short ID, publisher), coloured by status: red for dead-lettered,
/// orange for waiting on a retry, grey for waiting on a consumer. Edges run cause → effect and
/// are labelled with the agent that published the effect. An orphan gets a dashed placeholder for
/// its missing cause, so the break in the chain is drawn rather than silently left out.
public enum ReplayDOTExport {
    /// The graph as DOT text, without a trailing newline.
    public static func render(_ workflow: ReplayWorkflow) -> String {
        var lines = [
            "digraph \(quote("workflow " + workflow.correlationID)) {",
            "  graph [rankdir=TB, labelloc=t, fontname=\"Helvetica\", label="
                + quote("\(workflow.correlationID) · \(workflow.status.rawValue)") + "];",
            "  node [shape=box, style=\"rounded,filled\", fillcolor=\"#ffffff\", color=\"#546e7a\", "
                + "fontname=\"Helvetica\", fontsize=10];",
            "  edge [fontname=\"Helvetica\", fontsize=9, color=\"#546e7a\"];",
        ]
        for node in workflow.nodes {
            var label = "\(node.type)\n\(node.shortID) · \(node.agent.map { "by " + $0 } ?? "from " + node.source)"
            if node.status != .ok { label += "\n\(node.status.rawValue)" }
            lines.append("  \(quote(node.id)) [label=\(quote(label))\(colours(node.status))];")
        }
        for child in workflow.nodes {
            if let parent = child.parent {
                let edge = "\(quote(workflow.nodes[parent].id)) -> \(quote(child.id))"
                lines.append("  \(edge) [label=\(quote(child.publisherName))];")
            } else if child.isOrphan, let cause = child.causationID {
                let placeholder = "missing:" + cause
                lines.append("  \(quote(placeholder)) [label=\(quote("cause not in log\n" + cause.prefix(8))), "
                    + "style=\"rounded,dashed\", fillcolor=\"#ffffff\", color=\"#9e9e9e\", fontcolor=\"#757575\"];")
                lines.append("  \(quote(placeholder)) -> \(quote(child.id)) [style=dashed, color=\"#9e9e9e\"];")
            }
        }
        lines.append("}")
        return lines.joined(separator: "\n")
    }

    private static func colours(_ status: ReplayNodeStatus) -> String {
        switch status {
        case .ok, .terminal: ""
        case .cancelled: ", fillcolor=\"#f5f5f5\", color=\"#757575\", fontcolor=\"#424242\", style=\"filled,dashed\""
        case .deadLettered: ", fillcolor=\"#fdecea\", color=\"#c62828\", fontcolor=\"#b71c1c\""
        case .retrying: ", fillcolor=\"#fff3e0\", color=\"#ef6c00\""
        case .awaiting: ", fillcolor=\"#eeeeee\", color=\"#9e9e9e\", fontcolor=\"#616161\""
        }
    }

    /// `text` as a DOT quoted string. Inside quotes DOT only treats `\"` specially, but label
    /// escapes (`\n`, `\l`, `\N`...) are read from the same text, so a backslash is doubled to
    /// stay a backslash, and a line break becomes `\n`.
    static func quote(_ text: String) -> String {
        var quoted = "\""
        for character in text {
            switch character {
            case "\"": quoted += "\\\""
            case "\\": quoted += "\\\\"
            case "\n", "\r\n", "\r": quoted += "\\n"
            default: quoted.append(character)
            }
        }
        return quoted + "\""
    }
}
