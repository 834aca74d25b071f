/// A side running against a broker, inside the ``HopServer`` process: the raw relay or the agent.
enum RunningSide {
    static let rawGroup = "raw-relay"

    case raw(RawRelay)
    case agent(RunningAgent)

    static func start(_ arguments: HopServer.Arguments) throws -> RunningSide {
        switch arguments.side {
        case .raw:
            .raw(
                try RawRelay(
                    bootstrapServers: arguments.bootstrapServers, inputTopic: arguments.input,
                    outputTopic: arguments.output, groupID: arguments.group,
                    fetchWaitMilliseconds: arguments.fetchWaitMilliseconds))
        case .agent:
            .agent(
                try RunningAgent(
                    bootstrapServers: arguments.bootstrapServers, schemas: arguments.schemas,
                    instance: arguments.instance, setup: arguments.setup))
        }
    }

    func stop() async throws {
        switch self {
        case .raw(let relay): await relay.stop()
        case .agent(let agent): try await agent.stop()
        }
    }
}
