/// A call the model asked for: run the tool named ``name`` with ``arguments``, then send the result
/// back as ``ChatMessage/tool(callID:content:)`` with this ``id``.
public struct ChatToolCall: Sendable, Hashable, Codable {
    /// The provider's id of this call, which the tool result names.
    public var id: String
    /// The ``ChatTool/name`` to call.
    public var name: String
    /// The arguments as JSON text, as the model wrote them: check them against the tool's
    /// parameters before use, since a model can write JSON that is wrong or invalid.
    public var arguments: String

    public init(id: String, name: String, arguments: String) {
        self.id = id
        self.name = name
        self.arguments = arguments
    }
}
