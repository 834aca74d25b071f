/// Lets ``Agent/handlers`` list its handlers one per line, without an array literal.
@resultBuilder
public enum EventHandlerBuilder {
    public static func buildExpression(_ handler: EventHandler) -> [EventHandler] { [handler] }
    public static func buildExpression(_ handlers: [EventHandler]) -> [EventHandler] { handlers }
    public static func buildBlock(_ parts: [EventHandler]...) -> [EventHandler] { parts.flatMap { $0 } }
    public static func buildOptional(_ part: [EventHandler]?) -> [EventHandler] { part ?? [] }
    public static func buildEither(first part: [EventHandler]) -> [EventHandler] { part }
    public static func buildEither(second part: [EventHandler]) -> [EventHandler] { part }
    public static func buildArray(_ parts: [[EventHandler]]) -> [EventHandler] { parts.flatMap { $0 } }
}
