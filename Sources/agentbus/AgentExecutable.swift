import Foundation

/// Where `agentbus replay rerun` finds an agent's executable: `--handler-binary`, else an
/// executable named after the agent next to `agentbus` (how `swift build` and an install
/// directory lay products out), else one on `$PATH`.
enum AgentExecutable {
    /// The executable's path, or one line saying where it was looked for.
    static func locate(agent: String, given: String?, environment: [String: String]) -> Result<String, LookupError> {
        let files = FileManager.default
        if let given {
            var isDirectory: ObjCBool = false
            guard files.fileExists(atPath: given, isDirectory: &isDirectory), !isDirectory.boolValue else {
                return .failure(LookupError(message: "--handler-binary \(given): no such file"))
            }
            guard files.isExecutableFile(atPath: given) else {
                return .failure(LookupError(message: "--handler-binary \(given): not executable"))
            }
            return .success(given)
        }
        var places: [String] = []
        if let directory = agentbusDirectory { places.append(directory) }
        places += (environment["PATH"] ?? "").split(separator: ":").map(String.init).filter { !$0.isEmpty }
        for directory in places {
            let candidate = URL(fileURLWithPath: directory).appendingPathComponent(agent).path
            if files.isExecutableFile(atPath: candidate) { return .success(candidate) }
        }
        let next = agentbusDirectory.map { "next to agentbus (\($0)) or " } ?? ""
        return .failure(LookupError(
            message: "no executable named \(agent) \(next)on $PATH; give the agent's executable with --handler-binary PATH"))
    }

    /// The directory of the running `agentbus`, links resolved.
    static var agentbusDirectory: String? {
        #if os(Linux)
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        #else
        guard let executable = Bundle.main.executableURL?.resolvingSymlinksInPath() else { return nil }
        #endif
        return executable.deletingLastPathComponent().path
    }

    struct LookupError: Error {
        let message: String
    }
}
