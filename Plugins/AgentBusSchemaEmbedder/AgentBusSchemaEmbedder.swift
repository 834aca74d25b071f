import Foundation
import PackagePlugin

/// Embeds a target's event schemas in its code, so an agent executable carries its catalog and
/// finds it from any working directory.
///
/// Every `*.json` file under the target's `schemas/` folder (recursively; a symbolic link to a
/// folder elsewhere in the package works) becomes part of a generated
/// `extension EmbeddedSchemas { static let module }`, in the spirit of `Bundle.module`. The
/// target depends on `AgentBus` and excludes `schemas` from its sources:
///
/// ```swift
/// .target(
///     name: "OrderEvents",
///     dependencies: [.product(name: "AgentBus", package: "agentbus")],
///     exclude: ["schemas"],
///     plugins: [.plugin(name: "AgentBusSchemaEmbedder", package: "agentbus")]
/// )
/// ```
@main
struct AgentBusSchemaEmbedder: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) async throws -> [Command] {
        guard let target = target as? SwiftSourceModuleTarget else {
            Diagnostics.error("AgentBusSchemaEmbedder embeds schemas in Swift targets; \(target.name) is not one")
            return []
        }
        let folder = target.directoryURL.appendingPathComponent("schemas")
        // Resolved so that a `schemas` link to the package's top-level catalog is followed.
        let root = folder.resolvingSymlinksInPath()
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            Diagnostics.warning("\(target.name): AgentBusSchemaEmbedder found no schemas/ folder; nothing is embedded")
            return []
        }
        var files: [URL] = []
        if let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) {
            for case let url as URL in enumerator where url.pathExtension == "json" { files.append(url) }
        }
        files.sort { $0.path < $1.path }
        let output = context.pluginWorkDirectoryURL.appendingPathComponent("EmbeddedSchemas.module.generated.swift")
        return [
            .buildCommand(
                displayName: "Embedding \(files.count) schema file(s) in \(target.name)",
                executable: try context.tool(named: "AgentBusSchemaEmbedderTool").url,
                arguments: [target.name, root.path, output.path] + files.map(\.path),
                inputFiles: files,
                outputFiles: [output])
        ]
    }
}
