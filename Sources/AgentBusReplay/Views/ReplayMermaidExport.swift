import AgentBus

/// `agentbus replay --format mermaid`: the causal graph as a Mermaid flowchart, which GitHub,
/// GitLab and most wikis render inside a ```` ```mermaid ```` block.
///
/// The same graph as ``ReplayDOTExport``. Event IDs are not valid Mermaid node IDs (and a node
/// called `end` breaks the parser), so nodes are `n0`, `n1`... in the workflow's order, and
/// missing causes of orphans `m0`, `m1`... Labels are quoted and escaped with Mermaid's entity
/// codes, so an event type or agent name cannot end the label or the diagram early.
public enum ReplayMermaidExport {
    /// The flowchart text, without a trailing newline.
    public static func render(_ workflow: ReplayWorkflow) -> String {
        var lines = ["flowchart TD"]
        for (index, node) in workflow.nodes.enumerated() {
            let label = escape(node.type) + "<br/>" + escape(node.shortID) + " · "
                + escape(node.agent.map { "by " + $0 } ?? "from " + node.source)
                + (node.status == .ok ? "" : "<br/>" + node.status.rawValue)
            lines.append("  n\(index)[\"\(label)\"]")
        }
        var missing = 0
        for (index, child) in workflow.nodes.enumerated() {
            if let parent = child.parent {
                lines.append("  n\(parent) -->|\"\(escape(child.publisherName))\"| n\(index)")
            } else if child.isOrphan, let cause = child.causationID {
                lines.append("  m\(missing)[\"cause not in log<br/>\(escape(String(cause.prefix(8))))\"]:::missing")
                lines.append("  m\(missing) -.-> n\(index)")
                missing += 1
            }
        }
        lines += [
            "  classDef deadLettered fill:#fdecea,stroke:#c62828,color:#b71c1c",
            "  classDef retrying fill:#fff3e0,stroke:#ef6c00",
            "  classDef awaiting fill:#eeeeee,stroke:#9e9e9e,color:#616161",
            "  classDef missing fill:#ffffff,stroke:#9e9e9e,stroke-dasharray:4 3,color:#757575",
        ]
        for status in [ReplayNodeStatus.deadLettered, .retrying, .awaiting] {
            let members = workflow.nodes.indices.filter { workflow.nodes[$0].status == status }
            guard !members.isEmpty else { continue }
            lines.append("  class \(members.map { "n\($0)" }.joined(separator: ",")) \(className(status))")
        }
        return lines.joined(separator: "\n")
    }

    private static func className(_ status: ReplayNodeStatus) -> String {
        switch status {
        case .cancelled: "cancelled"
        case .deadLettered: "deadLettered"
        case .retrying: "retrying"
        case .awaiting: "awaiting"
        case .ok: "ok"
        case .terminal: "terminal"
        }
    }

    /// `text` for a quoted Mermaid label: `"` as `#quot;`, and the characters Mermaid or the
    /// HTML it renders to would read as syntax (`#`, `<`, `>`, `&`, `|`, a backtick) as numeric
    /// entity codes. Line breaks become spaces.
    static func escape(_ text: String) -> String {
        var escaped = ""
        for character in text {
            switch character {
            case "\"": escaped += "#quot;"
            case "#": escaped += "#35;"
            case "<": escaped += "#60;"
            case ">": escaped += "#62;"
            case "&": escaped += "#38;"
            case "|": escaped += "#124;"
            case "`": escaped += "#96;"
            case "\n", "\r\n", "\r": escaped += " "
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
