import Foundation

/// The Python virtual environment that holds the local model and llama.cpp's server:
/// `.venv-model`, which scripts/setup.sh creates in the repository.
struct ModelVenv {
    static let directoryName = ".venv-model"
    static let environmentVariable = "AGENTBUS_MODEL_VENV"

    let directory: URL

    /// The venv's own interpreter, by its path in the venv (not resolved: Python finds its venv
    /// from the path it was started by).
    var python: URL { directory.appendingPathComponent("bin/python") }

    var isInstalled: Bool { FileManager.default.isExecutableFile(atPath: python.path) }

    /// Where to look, in order: the venv the user named (`--venv`, else `$AGENTBUS_MODEL_VENV`),
    /// and nothing else, since a wrong name should be reported rather than replaced; otherwise
    /// `.venv-model` in the current directory, then in the repository the executable was built in.
    static func candidates(
        named: String?, environment: [String: String], currentDirectory: URL, executable: URL?
    ) -> [ModelVenv] {
        if let named = named ?? environment[environmentVariable].flatMap({ $0.isEmpty ? nil : $0 }) {
            return [ModelVenv(directory: URL(fileURLWithPath: named, relativeTo: currentDirectory).standardizedFileURL)]
        }
        var directories = [currentDirectory.appendingPathComponent(directoryName)]
        if let repository = executable.flatMap(repository(containing:)) {
            directories.append(repository.appendingPathComponent(directoryName))
        }
        return directories.map { ModelVenv(directory: $0.standardizedFileURL) }
    }

    /// The nearest directory above `executable` (symbolic links resolved) that holds a
    /// Package.swift: the checkout whose `.build/` it was built into.
    static func repository(containing executable: URL) -> URL? {
        var directory = executable.resolvingSymlinksInPath().deletingLastPathComponent()
        while directory.path != "/" {
            if FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) {
                return directory
            }
            directory.deleteLastPathComponent()
        }
        return nil
    }
}
