import AgentBus
import AgentBusReplay
import Kafka
import Testing

/// `--since` and `--until` as `agentbus replay` parses them.
@Suite("Replay bounds")
struct ReplayBoundTests {
    static let now: Int64 = 1_795_000_000_000

    func parse(_ text: String) throws -> ReplayBound.Value { try ReplayBound(parsing: text, now: Self.now).value }

    @Test("RFC 3339 times, with any offset or fraction, and bare dates at midnight UTC")
    func times() throws {
        #expect(try parse("2026-11-21T04:00:00Z") == .time(1_795_233_600_000))
        #expect(try parse("2026-11-21T05:00:00.250+01:00") == .time(1_795_233_600_250))
        #expect(try parse(" 2026-11-21T04:00:00Z ") == .time(1_795_233_600_000))
        #expect(try parse("2026-11-21") == .time(1_795_219_200_000))
        #expect(try ReplayBound(parsing: " 2026-11-21T04:00:00Z ").text == " 2026-11-21T04:00:00Z ", "kept as given")
    }

    @Test("ages count back from now")
    func ages() throws {
        #expect(try parse("30s") == .time(Self.now - 30_000))
        #expect(try parse("15m") == .time(Self.now - 900_000))
        #expect(try parse("2h") == .time(Self.now - 7_200_000))
        #expect(try parse("1d") == .time(Self.now - 86_400_000))
        #expect(try parse("1h30m") == .time(Self.now - 5_400_000))
        #expect(try parse("500ms") == .time(Self.now - 500))
    }

    @Test("offsets: @N for every partition, TOPIC:PARTITION@N for one, comma-separated")
    func offsets() throws {
        #expect(try parse("@42") == .offsets(every: 42, partitions: [:]))
        let applications = KafkaTopicPartition(topic: "loan.applications", partition: 2)
        #expect(try parse("loan.applications:2@40") == .offsets(every: nil, partitions: [applications: 40]))
        let retry = KafkaTopicPartition(topic: "credit-check.retry", partition: 0)
        #expect(try parse("@100, loan.applications:2@40,credit-check.retry:0@0")
            == .offsets(every: 100, partitions: [applications: 40, retry: 0]))
    }

    @Test("anything else is refused with a message that lists the accepted forms", arguments: [
        "", "yesterday", "30", "2026-13-01", "@", "@-1", "@x", "topic@3", "topic:x@3", ":0@3", "topic:-1@3", "@1,@2",
        "a:0@1,a:0@2", "5 m",
    ])
    func refused(_ text: String) {
        let error = #expect(throws: ReplayBound.ParseError.self) { try ReplayBound(parsing: text, now: Self.now) }
        #expect(error?.message.isEmpty == false)
        #expect(error?.message.contains("\n") == false, "one line")
    }

    @Test("bounds become a snapshot reader's starts and ends")
    func snapshotBounds() throws {
        let since = try ReplayBound(parsing: "@5,orders:1@7", now: Self.now)
        let until = try ReplayBound(parsing: "10m", now: Self.now)
        let bounds = ReplayBound.snapshotBounds(since: since, until: until)
        #expect(bounds.start == .offset(5))
        #expect(bounds.start(of: KafkaTopicPartition(topic: "orders", partition: 1)) == .offset(7))
        #expect(bounds.start(of: KafkaTopicPartition(topic: "orders", partition: 0)) == .offset(5))
        #expect(bounds.end == .time(Self.now - 600_000))
        #expect(bounds.namedPartitions == [KafkaTopicPartition(topic: "orders", partition: 1)])
        #expect(ReplayBound.snapshotBounds(since: nil, until: nil) == .everything)
    }

    @Test("durations for --stall-after and --skew")
    func durations() {
        #expect(ReplayDurationText.milliseconds("60s") == 60_000)
        #expect(ReplayDurationText.milliseconds("250ms") == 250)
        #expect(ReplayDurationText.milliseconds("2m30s") == 150_000)
        #expect(ReplayDurationText.milliseconds("0s") == 0)
        for refused in ["", "60", "s", "1.5s", "-1s", "1x", "1s ", "99999999999999999999d"] {
            #expect(ReplayDurationText.milliseconds(refused) == nil, "\(refused)")
        }
    }
}
