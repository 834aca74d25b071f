/// Why an approvers file cannot be used: the file and what is wrong with it, printed as one line.
public struct ApproverDirectoryError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var problem: String

    public init(file: String, problem: String) {
        self.file = file
        self.problem = problem
    }

    public var description: String { "\(file): \(problem)" }
}
