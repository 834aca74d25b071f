/// Whether the model may, must or must not call one of the request's ``ChatTool``s (OpenAI's
/// `tool_choice`).
public enum ChatToolChoice: Sendable, Hashable {
    /// The model decides: the provider's default, so it is not sent.
    case auto
    /// Answer with text, call no tool.
    case none
    /// Call at least one tool.
    case required
    /// Call the tool of this name.
    case function(String)
}
