import ArgumentParser
import Foundation
import Logging

extension AgentCommand {
    /// What the default ``run()`` does, for a command that implements `run()` to do more around
    /// it; with `--rerun FILE`, a rerun of a recorded workflow instead (see
    /// ``AgentOptions/rerun``), and with `--describe` the agent's ``AgentDescription``; neither
    /// connects to anything. With `--http-port`, the metrics system is bootstrapped with
    /// Prometheus and an ``AgentHTTPEndpoint`` runs beside the agent (see
    /// ``HTTPOptions``). Failures are thrown for ArgumentParser
    /// to report: `ValidationError` for bad settings, `ExitCode` after one line on stderr for the
    /// rest; nothing here exits the process.
    public func runAgent(environment: [String: String] = ProcessInfo.processInfo.environment) async throws {
        let configuration: AgentRuntimeConfiguration
        let level: Logger.Level
        let httpAddress: HTTPListenAddress?
        do {
            configuration = try runtime.configuration(embeddedSchemas: embeddedSchemas, environment: environment)
            level = try runtime.logLevel(environment: environment)
            httpAddress = self.runtime.rerun == nil && !self.runtime.describe ? try runtime.httpListenAddress(environment: environment) : nil
        } catch {
            throw ValidationError(error.message)
        }
        bootstrapLogging(level: level)
        let logger = Logger(label: "agentbus.agent")
        // Before the agent and the runtime make their metrics, so that they report to it.
        let prometheus = httpAddress.map { _ in AgentHTTPEndpoint.bootstrapPrometheus() }

        var services = AgentServices()
        let agent: AgentType
        do {
            agent = try await makeAgent(services: &services)
        } catch let error as AgentConfigurationError {
            throw ValidationError(error.message)
        } catch let error as ValidationError {
            throw error
        } catch {
            throw AgentFailure.report("\(Self._commandName): \(error)", status: .failure)
        }

        if self.runtime.describe {
            return try describe(agent, configuration: configuration)
        }
        if let recording = self.runtime.rerun {
            return try await rerun(agent, recording: recording, configuration: configuration, logger: logger)
        }

        let runtime: AgentRuntime
        do {
            runtime = try AgentRuntime(agent: agent, configuration: configuration, logger: logger)
        } catch {
            throw AgentFailure.report("\(agent.name): \(error)", status: ExitCode(2))
        }
        if let httpAddress {
            do {
                let endpoint = try AgentHTTPEndpoint(address: httpAddress, target: runtime, metrics: prometheus, logger: logger)
                services.addFirst(endpoint)
            } catch {
                throw AgentFailure.report("\(agent.name): \(error)", status: .validationFailure)
            }
        }
        do {
            try await services.serviceGroup(runtime: runtime, logger: logger).run()
        } catch {
            throw AgentFailure.report("\(agent.name): \(error)", status: .failure)
        }
    }
}

extension AgentCommand {
    /// `--describe`: the agent's ``AgentDescription`` as one line of JSON on standard output.
    /// Exit status 2 when the agent cannot start as defined (a type the catalog lacks, say).
    func describe(_ agent: AgentType, configuration: AgentRuntimeConfiguration) throws {
        let description: AgentDescription
        do {
            description = try AgentDescription(
                agent: agent, registry: try configuration.schemas.load(),
                catalog: configuration.schemas.catalogDescription)
        } catch {
            throw AgentFailure.report("\(agent.name) --describe: \(error)", status: ExitCode(2))
        }
        FileHandle.standardOutput.write(Data(description.jsonBytes + [UInt8(ascii: "\n")]))
    }
}
