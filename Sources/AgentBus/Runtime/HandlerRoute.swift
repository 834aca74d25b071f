/// A handler and the schema of the type it handles: where the runtime sends an event of that
/// type.
package struct HandlerRoute: Sendable {
    package let handler: EventHandler
    package let schema: EventSchema

    /// The agent's handlers by event type, checked against the catalog as ``AgentRuntime`` checks
    /// them at start.
    ///
    /// - Throws: ``AgentConfigurationError`` for a bad agent name, a handled type the catalog
    ///   does not know, two handlers for one type, or no handler at all.
    package static func routes(
        for agent: some Agent, registry: SchemaRegistry, catalog: String
    ) throws(AgentConfigurationError) -> [String: HandlerRoute] {
        if let problem = AgentTopics.problem(withAgentName: agent.name) { throw AgentConfigurationError(problem) }
        var routes: [String: HandlerRoute] = [:]
        for handler in agent.handlers {
            guard let schema = registry.eventSchema(for: handler.eventType) else {
                let hint = registry.suggestions(for: handler.eventType).first.map { "; did you mean \($0)?" } ?? ""
                throw AgentConfigurationError(
                    "\(agent.name) handles \(handler.eventType), which is not in \(catalog)\(hint)")
            }
            guard routes[handler.eventType] == nil else {
                throw AgentConfigurationError("\(agent.name) has two handlers for \(handler.eventType)")
            }
            routes[handler.eventType] = HandlerRoute(handler: handler, schema: schema)
        }
        guard !routes.isEmpty else { throw AgentConfigurationError("\(agent.name) has no handlers") }
        return routes
    }
}
