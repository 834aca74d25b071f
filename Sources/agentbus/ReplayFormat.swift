import AgentBus
import AgentBusReplay

/// The views `agentbus replay --format` can print.
///
/// Parsed by the command rather than by ArgumentParser, so an unknown name is one line that lists
/// the known ones (ArgumentParser would add the usage text).
enum ReplayFormat: String, CaseIterable {
    case tree, timeline, json, dot, mermaid, chrome, otlp

    static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }

    /// Tree and timeline are for people, and can show the critical path; the others are for
    /// tools, where text added to the output would break it.
    var showsCriticalPath: Bool { self == .tree || self == .timeline }

    func render(_ workflow: ReplayWorkflow, criticalPath: Bool) -> String {
        switch self {
        case .tree: ReplayTreeView.render(workflow, criticalPath: criticalPath)
        case .timeline:
            criticalPath
                ? ReplayTimelineView.render(workflow) + "\n\n" + ReplayCriticalPath.render(workflow)
                : ReplayTimelineView.render(workflow)
        case .json: ReplayJSONExport.render(workflow)
        case .dot: ReplayDOTExport.render(workflow)
        case .mermaid: ReplayMermaidExport.render(workflow)
        case .chrome: ReplayChromeTraceExport.render(workflow)
        case .otlp: ReplayOTLPExport.render(workflow)
        }
    }
}
