import AgentBus
import Foundation
import Kafka
import Synchronization
import TestSupport

/// Reads topics from their first offset as records arrive, without joining any group
/// (`assign()` with a throwaway group ID, nothing committed), so a test can wait for records to
/// appear instead of for time to pass.
final class TopicWatcher: Sendable {
    /// What was read so far.
    struct Contents: Sendable {
        var records: [String: [KafkaRecord]] = [:]
        /// Per topic, the distinct `ce_causationid`s read: "every input has an output" is a count.
        var causes: [String: Set<String>] = [:]
        /// The records of `agentbus.activity`, decoded once as they arrive.
        var activity: [ActivityRecord] = []

        subscript(topic: String) -> [KafkaRecord] { records[topic] ?? [] }
        func count(_ topic: String) -> Int { records[topic]?.count ?? 0 }
        func distinctCauses(_ topic: String) -> Int { causes[topic]?.count ?? 0 }
    }

    private struct State {
        var contents = Contents()
        /// Bumped on every record; waiters re-check their predicate when it moves.
        var version = 0
        var changeWaiters: [UUID: CheckedContinuation<Void, Never>] = [:]
    }

    private let state = Mutex(State())
    private let consumer: KafkaConsumer
    private let reader = Mutex<Task<Void, Never>?>(nil)

    private init(consumer: KafkaConsumer) { self.consumer = consumer }

    /// Starts reading every partition of `topics` (which must exist) from offset 0.
    static func start(_ topics: [String], broker: DevBrokerProcess) async throws -> TopicWatcher {
        let admin = try KafkaAdmin(configuration: KafkaClientConfiguration(bootstrapServers: [broker.bootstrapServers]))
        let known = try await admin.topics()
        admin.close()
        var partitions: [KafkaTopicPartition: KafkaStartOffset] = [:]
        for topic in topics {
            guard let count = known.first(where: { $0.name == topic })?.partitionCount, count > 0 else {
                throw TestFailure("topic \(topic) does not exist on the dev-broker")
            }
            for partition in 0..<count { partitions[KafkaTopicPartition(topic: topic, partition: Int32(partition))] = .offset(0) }
        }
        var configuration = KafkaConsumerConfiguration(
            bootstrapServers: [broker.bootstrapServers], groupID: "test-watcher-\(UUID().uuidString)")
        configuration.tuneForEmbeddedCluster()
        configuration.properties["enable.auto.commit"] = "false"
        let consumer = try KafkaConsumer(configuration: configuration)
        try consumer.assign(partitions)
        let watcher = TopicWatcher(consumer: consumer)
        watcher.reader.withLock { $0 = Task { await watcher.read() } }
        return watcher
    }

    private func read() async {
        do {
            for try await record in consumer.messages { append(record) }
        } catch {
            print("TopicWatcher: consumer failed: \(error)")
        }
    }

    private func append(_ record: KafkaRecord) {
        let waiting: [CheckedContinuation<Void, Never>] = state.withLock { state in
            state.contents.records[record.topic, default: []].append(record)
            if let cause = record.headers["ce_causationid"]?.string {
                state.contents.causes[record.topic, default: []].insert(cause)
            }
            if record.topic == AgentTopics.activity, let activity = record.decode(ActivityRecord.self) {
                state.contents.activity.append(activity)
            }
            state.version += 1
            defer { state.changeWaiters = [:] }
            return Array(state.changeWaiters.values)
        }
        for continuation in waiting { continuation.resume() }
    }

    var contents: Contents { state.withLock { $0.contents } }
    subscript(topic: String) -> [KafkaRecord] { contents[topic] }

    /// Waits until what was read satisfies `predicate`, checked at once and again after new
    /// records arrive (records that arrive while it is being checked are looked at together);
    /// false when `timeout`, a safety net, passes first.
    @discardableResult
    func waitFor(timeout: Duration = .seconds(60), _ predicate: @escaping @Sendable (Contents) -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        return await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                while !Task.isCancelled {
                    let (satisfied, version) = self.state.withLock { state in (predicate(state.contents), state.version) }
                    if satisfied { return true }
                    await self.nextChange(after: version)
                }
                return false
            }
            group.addTask {
                try? await Task.sleep(until: deadline)
                return false
            }
            let result = await group.next()!
            group.cancelAll()
            return result
        }
    }

    /// Returns once a record arrived after `version` (at once if one already has), or when the
    /// calling task is cancelled.
    private func nextChange(after version: Int) async {
        let id = UUID()
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let now = state.withLock { state in
                    if state.version != version || Task.isCancelled { return true }
                    state.changeWaiters[id] = continuation
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { $0.changeWaiters.removeValue(forKey: id) }
            waiter?.resume()
        }
    }

    func stop() async {
        await consumer.close(timeout: .seconds(2))
        let task = reader.withLock { $0 }
        await task?.value
    }
}
