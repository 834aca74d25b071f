import Foundation
import Kafka
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The dev-broker's control channel: a Unix domain socket next to its bootstrap file through which
/// `agentbus topics create` creates topics, because the embedded cluster has no Admin API and
/// only the process that owns it can call `rd_kafka_mock_topic_create`; and through which tests
/// take brokers down and up, which only the owner can do too.
///
/// The protocol is one text line per request, one per answer, any number per connection:
///
///     create-topic NAME PARTITIONS REPLICATION   ->   created | exists | error: <one line>
///     broker-down ID|all                         ->   ok | error: <one line>
///     broker-up ID|all                           ->   ok | error: <one line>
///     rtt ID|all MILLISECONDS                    ->   ok | error: <one line>
///     request-errors API ERROR[,ERROR...]        ->   ok | error: <one line>
///
/// A broker taken down closes its connections and refuses new ones until it is brought up
/// (``EmbeddedCluster/setBrokerDown(_:)``); `all` means every broker of the cluster. `rtt` delays
/// every response of the broker by that long (0 ends it; ``EmbeddedCluster/setRoundTripTime(broker:_:)``).
/// `request-errors` makes the next requests of type API (`produce`, `fetch`, ... or a key number;
/// ``KafkaAPI/byName``) fail, one per error, in order, with those errors (`not-leader-for-partition`,
/// `request-timed-out`, ... or a code; ``KafkaInjectedError/byName``), whichever broker gets them.
/// These are the fault injections `make chaos` (scripts/chaos.py) drives.
///
/// Only the dev-broker's user can connect (the socket is mode 0600). Accepting and serving
/// connections blocks, so it runs on threads of its own, never on Swift's cooperative pool.
final class DevBrokerControlServer: Sendable {
    let path: String
    private let listener: Int32
    private let cluster: EmbeddedCluster
    /// Topics known to exist: those the dev-broker created and those created through here.
    private let knownTopics: Mutex<Set<String>>

    struct SetupError: Error, CustomStringConvertible {
        let description: String
    }

    /// The control socket of the dev-broker whose bootstrap file is `bootstrapFile`.
    static func socketPath(forBootstrapFile bootstrapFile: String) -> String { bootstrapFile + ".sock" }

    /// Listens on `path`, replacing a socket a killed dev-broker left behind; serving starts
    /// with ``start()``.
    init(path: String, cluster: EmbeddedCluster, knownTopics: Set<String>) throws(SetupError) {
        self.path = path
        self.cluster = cluster
        self.knownTopics = Mutex(knownTopics)
        let listener = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard listener >= 0 else { throw SetupError(description: "cannot create a socket: \(UnixSocketAddress.errorText())") }
        try? FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        unlink(path)
        let previousMask = umask(0o177)
        let bound = UnixSocketAddress.with(path) { bind(listener, $0, $1) }
        let bindError = errno
        umask(previousMask)
        guard let bound else {
            close(listener)
            throw SetupError(
                description: "the control socket path \(path) is longer than \(UnixSocketAddress.maximumPathLength) bytes")
        }
        guard bound == 0, listen(listener, 16) == 0 else {
            let text = UnixSocketAddress.errorText(bound == 0 ? errno : bindError)
            close(listener)
            throw SetupError(description: "cannot listen on \(path): \(text)")
        }
        self.listener = listener
    }

    /// Accepts connections on a thread of its own until ``stop()``.
    func start() {
        let thread = Thread { [self] in acceptConnections() }
        thread.name = "agentbus-dev-broker-control"
        thread.start()
    }

    /// Stops accepting and removes the socket file.
    func stop() {
        // shutdown wakes the thread blocked in accept (close alone would not); it closes the socket.
        shutdown(listener, Int32(SHUT_RDWR))
        unlink(path)
    }

    private func acceptConnections() {
        while true {
            let connection = accept(listener, nil, nil)
            if connection < 0 {
                if errno == EINTR || errno == ECONNABORTED { continue }
                close(listener)
                return
            }
            // A thread per connection: one client that stalls holds up no other.
            let thread = Thread { [self] in serve(SocketLineConnection(descriptor: connection)) }
            thread.name = "agentbus-dev-broker-control-connection"
            thread.start()
        }
    }

    private func serve(_ connection: SocketLineConnection) {
        connection.setTimeout(seconds: 60)
        while let request = connection.readLine() {
            guard connection.write(line: answer(request)) else { return }
        }
    }

    /// The answer to one request line.
    func answer(_ request: String) -> String {
        let words = request.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        if words.first == "broker-down" || words.first == "broker-up" { return brokerAnswer(words) }
        if words.first == "rtt" { return roundTripTimeAnswer(words) }
        if words.first == "request-errors" { return requestErrorsAnswer(words) }
        guard words.first == "create-topic" else {
            return "error: unknown request \"\(words.first ?? "")\"; expected create-topic NAME PARTITIONS REPLICATION, broker-down ID|all, broker-up ID|all, rtt ID|all MILLISECONDS or request-errors API ERROR[,ERROR...]"
        }
        guard words.count == 4, let partitions = Int(words[2]), let replication = Int(words[3]) else {
            return "error: expected create-topic NAME PARTITIONS REPLICATION"
        }
        let name = words[1]
        if let problem = Self.problem(withTopicName: name) { return "error: \(problem)" }
        guard partitions >= 1, partitions <= 10_000 else { return "error: partitions must be 1 to 10000" }
        if knownTopics.withLock({ $0.contains(name) }) { return "exists" }
        do {
            try cluster.createTopic(name, partitions: partitions, replicationFactor: replication)
        } catch where error.librdkafkaName == "TOPIC_ALREADY_EXISTS" {
            // Auto-created by a client, or created by another connection meanwhile.
            knownTopics.withLock { _ = $0.insert(name) }
            return "exists"
        } catch {
            return "error: \(error.message)"
        }
        knownTopics.withLock { _ = $0.insert(name) }
        return "created"
    }

    /// The answer to `broker-down ID|all` or `broker-up ID|all`.
    private func brokerAnswer(_ words: [String]) -> String {
        let request = words[0]
        guard words.count == 2 else { return "error: expected \(request) ID|all" }
        let ids: [Int32]
        switch brokers(words[1]) {
        case .success(let found): ids = found
        case .failure(let problem): return "error: \(problem.description)"
        }
        do {
            for id in ids {
                if request == "broker-down" { try cluster.setBrokerDown(id) } else { try cluster.setBrokerUp(id) }
            }
        } catch {
            return "error: \(error.message)"
        }
        return "ok"
    }

    /// The answer to `rtt ID|all MILLISECONDS`.
    private func roundTripTimeAnswer(_ words: [String]) -> String {
        guard words.count == 3 else { return "error: expected rtt ID|all MILLISECONDS" }
        guard let milliseconds = Int(words[2]), (0...60_000).contains(milliseconds) else {
            return "error: the round-trip time must be 0 to 60000 milliseconds, got \"\(words[2])\""
        }
        let ids: [Int32]
        switch brokers(words[1]) {
        case .success(let found): ids = found
        case .failure(let problem): return "error: \(problem.description)"
        }
        do {
            for id in ids { try cluster.setRoundTripTime(broker: id, .milliseconds(milliseconds)) }
        } catch {
            return "error: \(error.message)"
        }
        return "ok"
    }

    /// The answer to `request-errors API ERROR[,ERROR...]`.
    private func requestErrorsAnswer(_ words: [String]) -> String {
        guard words.count == 3 else { return "error: expected request-errors API ERROR[,ERROR...]" }
        guard let api = KafkaAPI(name: words[1]) else {
            return "error: unknown request type \"\(words[1])\"; expected one of \(KafkaAPI.byName.keys.sorted().joined(separator: ", ")) or a key number"
        }
        var errors: [KafkaInjectedError] = []
        for name in words[2].split(separator: ",").map(String.init) {
            guard let error = KafkaInjectedError(name: name) else {
                return "error: unknown error \"\(name)\"; expected one of \(KafkaInjectedError.byName.keys.sorted().joined(separator: ", ")) or a code"
            }
            errors.append(error)
        }
        guard !errors.isEmpty, errors.count <= 1000 else { return "error: name 1 to 1000 errors" }
        cluster.injectRequestErrors(api: api, errors: errors)
        return "ok"
    }

    /// The brokers `word` names: `all`, or one broker ID of this cluster.
    private func brokers(_ word: String) -> Result<[Int32], SetupError> {
        if word == "all" { return .success(cluster.brokerIDs) }
        if let id = Int32(word), cluster.brokerIDs.contains(id) { return .success([id]) }
        return .failure(SetupError(
            description: "no broker \"\(word)\"; this cluster has brokers \(cluster.brokerIDs.map(String.init).joined(separator: ", "))"))
    }

    /// Why `name` cannot name a Kafka topic, or nil when it can.
    static func problem(withTopicName name: String) -> String? {
        guard !name.isEmpty, name.utf8.count <= 249 else { return "a topic name has 1 to 249 characters" }
        guard name != ".", name != ".." else { return "a topic cannot be named \(name)" }
        let allowed = name.utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: ".")
                || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
        }
        return allowed ? nil : "topic name \"\(name)\" may hold only letters, digits, '.', '_' and '-'"
    }
}
