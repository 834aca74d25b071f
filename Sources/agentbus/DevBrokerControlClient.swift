import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Talks to a running dev-broker over its control socket (see ``DevBrokerControlServer``).
///
/// The socket calls block, so ``createTopics(_:socketPath:)`` runs them on a thread of its own
/// and awaits the answers.
struct DevBrokerControlClient {
    /// What the dev-broker said about one topic.
    enum Answer: Sendable, Equatable {
        case created
        case exists
        case failed(String)
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    struct TopicRequest: Sendable {
        let name: String
        let partitions: Int
        let replication: Int
    }

    /// Asks the dev-broker listening on `socketPath` to create each topic, in order, over one
    /// connection. Fails (with one line) when it cannot be reached or stops answering.
    static func createTopics(_ topics: [TopicRequest], socketPath: String) async throws(Failure) -> [Answer] {
        let result: Result<[Answer], Failure> = await withCheckedContinuation { continuation in
            let thread = Thread {
                continuation.resume(returning: Result { () throws(Failure) in try createTopicsBlocking(topics, socketPath: socketPath) })
            }
            thread.name = "agentbus-dev-broker-client"
            thread.start()
        }
        return try result.get()
    }

    private static func createTopicsBlocking(_ topics: [TopicRequest], socketPath: String) throws(Failure) -> [Answer] {
        let connection = try connect(to: socketPath)
        var answers: [Answer] = []
        for topic in topics {
            guard connection.write(line: "create-topic \(topic.name) \(topic.partitions) \(topic.replication)"),
                let line = connection.readLine()
            else {
                throw Failure(description: "the dev-broker stopped answering on \(socketPath)")
            }
            switch line {
            case "created": answers.append(.created)
            case "exists": answers.append(.exists)
            default:
                answers.append(.failed(line.hasPrefix("error: ") ? String(line.dropFirst(7)) : "unexpected answer \"\(line)\""))
            }
        }
        return answers
    }

    private static func connect(to path: String) throws(Failure) -> SocketLineConnection {
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw Failure(description: "cannot create a socket: \(UnixSocketAddress.errorText())") }
        let connection = SocketLineConnection(descriptor: descriptor)
        connection.setTimeout(seconds: 30)
        guard let result = UnixSocketAddress.with(path, { Glibc.connect(descriptor, $0, $1) }) else {
            throw Failure(description: "the control socket path \(path) is too long")
        }
        guard result == 0 else {
            let reason = errno == ENOENT || errno == ECONNREFUSED ? "no dev-broker is listening there" : UnixSocketAddress.errorText()
            throw Failure(description: "cannot reach the dev-broker's control socket \(path): \(reason)")
        }
        return connection
    }
}
