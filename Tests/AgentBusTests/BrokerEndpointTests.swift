import AgentBus
import Foundation
import Testing

@Suite("Finding the brokers")
struct BrokerEndpointTests {
    func temporaryFile() -> DevBrokerFile {
        DevBrokerFile(path: FileManager.default.temporaryDirectory
            .appendingPathComponent("agentbus-endpoint-\(UUID().uuidString)/dev-broker").path)
    }

    @Test("--brokers wins, then AGENTBUS_BROKERS, then a running dev-broker, then localhost:9092")
    func resolutionOrder() throws {
        let file = temporaryFile()
        try file.write(bootstrapServers: "127.0.0.1:1111,127.0.0.1:2222")
        defer { file.remove() }
        let env = ["AGENTBUS_BROKERS": "env-host:9092"]

        let flag = BrokerEndpoint.resolve(brokers: "a:1, b:2", environment: env)
        #expect(flag.bootstrapServers == ["a:1", "b:2"])
        #expect(flag.source == .flag)
        #expect(!flag.isEmbeddedCluster)

        let environment = BrokerEndpoint.resolve(brokers: nil, environment: env)
        #expect(environment.bootstrapServers == ["env-host:9092"])

        let devBroker = BrokerEndpoint.resolve(brokers: nil, devBrokerFile: file, environment: [:])
        #expect(devBroker.bootstrapServers == ["127.0.0.1:1111", "127.0.0.1:2222"])
        #expect(devBroker.isEmbeddedCluster)

        let fallback = BrokerEndpoint.resolve(brokers: nil, devBrokerFile: temporaryFile(), environment: [:])
        #expect(fallback.bootstrapServers == ["localhost:9092"])
        #expect(fallback.source == .fallback)
    }

    @Test("a bootstrap file left by a dead dev-broker is ignored")
    func staleFile() throws {
        let file = temporaryFile()
        // PID 2^22 + 1 is above Linux's pid_max, so no process has it.
        try file.write(bootstrapServers: "127.0.0.1:3333", processID: 4_194_305)
        #expect(file.read() == nil)
        try file.write(bootstrapServers: "127.0.0.1:3333")
        #expect(file.read()?.bootstrapServers == "127.0.0.1:3333")
        file.remove()
        #expect(file.read() == nil)
    }
}
