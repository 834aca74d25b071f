/// Why bytes are not a runtime record (an ``ActivityRecord``, ``Heartbeat`` or
/// ``RegistryRecord``): not JSON, not an object, or a field missing or of the wrong type.
public struct RuntimeRecordError: Error, CustomStringConvertible, Sendable, Equatable {
    /// One line, such as `heartbeat: "pid" is not an integer`.
    public let message: String

    init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
