import Kafka
import Testing

/// The names `agentbus dev-broker`'s control socket takes for request types and injected errors.
@Suite struct FaultNameTests {
    @Test func requestTypesByNameOrKey() {
        #expect(KafkaAPI(name: "produce") == .produce)
        #expect(KafkaAPI(name: "fetch") == .fetch)
        #expect(KafkaAPI(name: "join-group") == .joinGroup)
        #expect(KafkaAPI(name: "18") == KafkaAPI(key: 18))
        #expect(KafkaAPI(name: "Produce") == nil)
        #expect(KafkaAPI(name: "101") == nil)
        #expect(KafkaAPI(name: "-1") == nil)
        #expect(KafkaAPI(name: "") == nil)
    }

    @Test func errorsByNameOrCode() {
        #expect(KafkaInjectedError(name: "not-leader-for-partition") == .notLeaderForPartition)
        #expect(KafkaInjectedError(name: "request-timed-out") == .requestTimedOut)
        #expect(KafkaInjectedError(name: "3") == KafkaInjectedError(code: 3))
        #expect(KafkaInjectedError(name: "0") == nil)
        #expect(KafkaInjectedError(name: "timeout") == nil)
    }
}
