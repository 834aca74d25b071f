#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The results file could not be opened or written.
public struct BenchmarkResultsError: Error, CustomStringConvertible {
    public let path: String
    public let errorNumber: Int32

    public var description: String { "cannot write \(path): \(String(cString: strerror(errorNumber)))" }
}
