import AgentBus
import Foundation
import Kafka
import TestSupport
import Testing

extension AgentRuntimeTests {
    /// Instances that die (SIGKILL) or are stopped (SIGTERM) in the middle of the work.
    @Suite("Crashes and graceful stops")
    struct CrashTests {
        static let agent = "test-worker"

        /// `count` work items that each sleep 2 ms, in their own workflows.
        static func work(_ count: Int, _ publisher: TestPublisher) -> [EventEnvelope] {
            (0..<count).map { index in
                publisher.root(
                    TestTypes.work, WorkPayload(id: "w-\(index)", seq: index, behavior: "sleep", sleepMs: 2).json)
            }
        }

        /// Checks that every input has an output, and that outputs repeated by a re-run are exact
        /// copies (same derived ID, same cause, same payload). Returns the number of duplicates.
        @discardableResult
        static func expectEveryInputHandled(_ inputs: [EventEnvelope], _ outputs: [KafkaRecord]) -> Int {
            let inputIDs = Set(inputs.map(\.id))
            var byID: [String: [EventEnvelope]] = [:]
            for record in outputs {
                guard let envelope = record.envelope else {
                    Issue.record("an output on test.done is not an event")
                    continue
                }
                byID[envelope.id, default: []].append(envelope)
            }
            var causes: [String: Int] = [:]
            for (id, copies) in byID {
                let first = copies[0]
                // Duplicates, if any, are the same event: same ID, cause and payload.
                #expect(copies.allSatisfy { $0.causationID == first.causationID && $0.data == first.data },
                        "copies of \(id) differ")
                guard let cause = first.causationID else {
                    Issue.record("output \(id) has no ce_causationid")
                    continue
                }
                causes[cause, default: 0] += 1
                #expect(id == EventID.derived(from: cause, agent: agent, type: TestTypes.done, index: 0).description,
                        "output IDs are derived from the input's")
            }
            // Counts, not the sets: a failure message with thousands of IDs helps nobody.
            let missing = inputIDs.subtracting(causes.keys)
            #expect(missing.isEmpty, "every input has an output: \(missing.count) missing, e.g. \(missing.prefix(3))")
            #expect(Set(causes.keys).isSubset(of: inputIDs), "every output is caused by an input")
            #expect(causes.values.allSatisfy { $0 == 1 }, "one distinct output per input")
            return outputs.count - byID.count
        }

        /// The `test.work` partitions of the latest assignment in an instance's log.
        static func workPartitions(_ log: [String]) -> Set<Int32> {
            guard let line = log.last(where: { $0.contains(AgentProcess.assignedLine) }),
                let list = line.split(separator: " ").first(where: { $0.hasPrefix("partitions=") })
            else { return [] }
            return Set(list.dropFirst("partitions=".count).split(separator: ",").compactMap { item in
                item.hasPrefix("test.work/") ? Int32(item.dropFirst("test.work/".count)) : nil
            })
        }

        /// The load: long enough per partition (1,000 events of 2 ms each) that a third of all
        /// outputs is seen well before any instance is done with its partition.
        static let topics = "test.work:2,test.done:6"

        @Test("two instances, one killed with SIGKILL mid-stream: after dedupe every input has exactly one output")
        func killOneOfTwo() async throws {
            let total = 2_000
            let broker = try await DevBrokerProcess.start(
                topics: Self.topics, schemas: Paths.fixtureSchemas, arguments: ["--agent", Self.agent, "--retry-delays", "none"])
            let first = try AgentProcess.testAgent(role: "worker", instance: "worker-1", broker: broker)
            try await first.waitUntilAssigned()
            // The survivor logs its group's comings and goings (librdkafka's cgrp debug), for
            // diagnosis if the takeover does not happen.
            let debug = ["AGENTBUS_LOG_LEVEL": "debug"]
            // The second member joins after session.timeout.ms - 1 s; the first is then reassigned.
            let second = try AgentProcess.testAgent(
                role: "worker", instance: "worker-2", broker: broker, environment: debug, arguments: ["-X", "debug=cgrp"])
            // Split: one test.work partition each. The embedded cluster often answers the second
            // member's first SyncGroups with "Invalid request" and lets it in a few rounds later;
            // on a loaded two-core machine that has taken most of a minute.
            let split = await AgentProcess.waitUntil([first, second], timeout: .seconds(120)) { logs in
                let (one, two) = (Self.workPartitions(logs[0]), Self.workPartitions(logs[1]))
                return one.count == 1 && two.count == 1 && one.isDisjoint(with: two)
            }
            try #require(split, "\(first.tail)\n\(second.tail)")
            let killedPartitions = Self.workPartitions(first.log)

            let watcher = try await TopicWatcher.start([TestTypes.doneTopic, AgentTopics.activity], broker: broker)
            let publisher = try TestPublisher(broker: broker, schemas: Paths.fixtureSchemas)
            let inputs = Self.work(total, publisher)
            try await publisher.sendAll(inputs)
            await publisher.close()

            // Kill the first instance once about a third of the work is done.
            #expect(await watcher.waitFor { $0.count(TestTypes.doneTopic) >= total / 3 })
            await first.kill()
            let doneAtKill = watcher.contents.count(TestTypes.doneTopic)

            // The survivor takes the dead instance's partition once its session times out, and
            // handles what the dead instance had not committed.
            let finished = await watcher.waitFor(timeout: .seconds(90)) { $0.distinctCauses(TestTypes.doneTopic) >= total }
            #expect(finished, "distinct outputs: \(watcher.contents.distinctCauses(TestTypes.doneTopic)) of \(total)\n\(second.tail)")
            let tookOver = await watcher.waitFor { contents in
                contents.activity.contains {
                    $0.instance == "worker-2" && $0.topic == TestTypes.workTopic && killedPartitions.contains($0.partition)
                }
            }
            let groupLog = second.log.filter {
                $0.contains("CGRPJOINSTATE") || $0.contains("HEARTBEAT") || $0.contains("[AgentBus]")
            }
            #expect(tookOver, "the survivor handled the killed instance's partition\n\(groupLog.suffix(40).joined(separator: "\n"))")
            await watcher.stop()
            await stopAll([second], broker)

            // The killed instance had handled part of its partition, not all of it.
            let activity = watcher.contents.activity.filter { $0.topic == TestTypes.workTopic }
            let killedHandled = Set(activity.filter { $0.instance == "worker-1" }.map(\.offset))
            let survivorHandled = Set(
                activity.filter { $0.instance == "worker-2" && killedPartitions.contains($0.partition) }.map(\.offset))
            #expect(!killedHandled.isEmpty, "the killed instance handled some events before it died")
            #expect(!survivorHandled.subtracting(killedHandled).isEmpty, "the kill came mid-stream: some events were first handled by the survivor")
            #expect(second.count(AgentProcess.assignedLine) >= 2)
            let duplicates = Self.expectEveryInputHandled(inputs, watcher[TestTypes.doneTopic])
            print(
                "killOneOfTwo: \(doneAtKill) outputs seen at the kill; worker-1 handled \(killedHandled.count), worker-2 "
                    + "redid \(survivorHandled.intersection(killedHandled).count) and did "
                    + "\(survivorHandled.subtracting(killedHandled).count) more of that partition; \(duplicates) duplicate output(s)")
        }

        @Test("SIGTERM under load stops gracefully; a restarted instance finishes the rest, skipping nothing")
        func gracefulStopAndRestart() async throws {
            let total = 2_000
            let broker = try await DevBrokerProcess.start(
                topics: Self.topics, schemas: Paths.fixtureSchemas, arguments: ["--agent", Self.agent, "--retry-delays", "none"])
            let first = try AgentProcess.testAgent(role: "worker", instance: "worker-1", broker: broker)
            try await first.waitUntilAssigned()
            let watcher = try await TopicWatcher.start([TestTypes.doneTopic, AgentTopics.activity], broker: broker)
            let publisher = try TestPublisher(broker: broker, schemas: Paths.fixtureSchemas)
            let inputs = Self.work(total, publisher)
            try await publisher.sendAll(inputs)
            await publisher.close()

            #expect(await watcher.waitFor { $0.count(TestTypes.doneTopic) >= total / 3 })
            let status = await first.stop()
            let doneAtStop = watcher.contents.count(TestTypes.doneTopic)
            #expect(status == 0, "\(first.tail)")
            #expect(first.count("agent stopped") == 1, "\(first.tail)")
            #expect(first.count("stopping") >= 1)

            let restarted = try AgentProcess.testAgent(role: "worker", instance: "worker-2", broker: broker)
            try await restarted.waitUntilAssigned()
            let finished = await watcher.waitFor(timeout: .seconds(90)) { $0.distinctCauses(TestTypes.doneTopic) >= total }
            #expect(finished, "distinct outputs: \(watcher.contents.distinctCauses(TestTypes.doneTopic)) of \(total)\n\(restarted.tail)")
            #expect(await watcher.waitFor { $0.activity.count >= total }, "an activity record per handled event")
            await watcher.stop()
            await stopAll([restarted], broker)

            // Each instance handled a part: the stop came mid-stream.
            let activity = watcher.contents.activity
            let byFirst = activity.count { $0.instance == "worker-1" }
            let byRestarted = activity.count { $0.instance == "worker-2" }
            #expect(byFirst > 0 && byRestarted > 0, "worker-1 handled \(byFirst), worker-2 \(byRestarted)")
            let duplicates = Self.expectEveryInputHandled(inputs, watcher[TestTypes.doneTopic])
            // A graceful stop stores and commits the offsets of everything it finished, so the
            // restarted instance redoes nothing.
            #expect(duplicates == 0, "a graceful stop committed its progress")
            #expect(activity.count == total, "no event handled twice")
            print("gracefulStopAndRestart: \(doneAtStop) outputs seen at the stop; worker-1 handled \(byFirst), worker-2 \(byRestarted); \(duplicates) duplicate(s)")
        }
    }
}
