import Testing

@testable import Kafka

@Suite("Consumer pauses")
struct ConsumerPausesTests {
    let a = KafkaTopicPartition(topic: "t", partition: 0)
    let b = KafkaTopicPartition(topic: "t", partition: 1)
    let c = KafkaTopicPartition(topic: "t", partition: 2)

    @Test("flow control pauses what is assigned and resumes only what the user did not pause")
    func flowLeavesUserPausesAlone() {
        var pauses = ConsumerPauses()
        #expect(pauses.pauseForUser([a]) == [a])
        #expect(pauses.pauseForFlow(assignment: [a, b]) == [b])
        #expect(pauses.pauseForFlow(assignment: [a, b]).isEmpty, "paused twice")
        #expect(pauses.resumeAfterFlow() == [b])
        #expect(pauses.resumeAfterFlow().isEmpty, "resumed twice")
        #expect(pauses.byUser == [a])
    }

    @Test("a user's resume while flow control holds the partitions waits for flow control")
    func userResumeWaitsForFlow() {
        var pauses = ConsumerPauses()
        _ = pauses.pauseForUser([a])
        _ = pauses.pauseForFlow(assignment: [a, b])
        #expect(pauses.resumeForUser([a]).isEmpty)
        #expect(pauses.resumeAfterFlow() == [a, b])
        #expect(pauses.resumeForUser([b]) == [b], "without flow control, a resume is immediate")
    }

    @Test("a user's pause while flow control holds the partitions outlasts it")
    func userPauseDuringFlow() {
        var pauses = ConsumerPauses()
        _ = pauses.pauseForFlow(assignment: [a, b])
        #expect(pauses.pauseForUser([a]) == [a])
        #expect(pauses.resumeAfterFlow() == [b])
    }

    @Test("partitions assigned while flow control holds the others are paused too, and resumed with them")
    func assignedDuringFlow() {
        var pauses = ConsumerPauses()
        #expect(pauses.assigned([a]).isEmpty, "paused although the reader keeps up")
        _ = pauses.pauseForFlow(assignment: [a])
        #expect(pauses.assigned([b, c]) == [b, c])
        #expect(pauses.resumeAfterFlow() == [a, b, c])
    }

    @Test("revoked partitions forget their pauses, and those paused are resumed before they are given up")
    func revokedStartUnpaused() {
        var pauses = ConsumerPauses()
        _ = pauses.pauseForUser([a])
        _ = pauses.pauseForFlow(assignment: [a, b, c])
        #expect(pauses.revoked([a, b]) == [a, b])
        #expect(pauses.byUser.isEmpty)
        #expect(pauses.revoked([a]).isEmpty, "resumed twice")
        // Given back while the reader is still behind: paused with the others again.
        #expect(pauses.assigned([a]) == [a])
        #expect(pauses.resumeAfterFlow() == [a, c])
    }

    @Test("partitions the user resumed are made to fetch once, unless paused again or revoked first")
    func userResumesAwaitFetch() {
        var pauses = ConsumerPauses()
        _ = pauses.pauseForUser([a, b, c])
        _ = pauses.resumeForUser([a, b, c])
        _ = pauses.pauseForUser([b])
        _ = pauses.revoked([c])
        #expect(pauses.takeAwaitingFetch() == [a])
        #expect(pauses.takeAwaitingFetch().isEmpty, "made to fetch twice")
        // Resumed while flow control holds the others: flow control's resume makes it fetch.
        _ = pauses.pauseForFlow(assignment: [a, b])
        _ = pauses.resumeForUser([b])
        #expect(pauses.takeAwaitingFetch().isEmpty)
        #expect(pauses.resumeAfterFlow() == [a, b])
    }
}
