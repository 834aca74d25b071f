import Foundation
import TestSupport
import Testing

/// `make demo`'s script, run as a user runs it: the example system end to end, every agent its
/// own process. It exits non-zero when any step it shows did not happen.
@Suite("make demo", .serialized, .timeLimit(.minutes(4)))
struct DemoTests {
    @Test("the demo runs the loan system end to end and exits 0")
    func demo() async throws {
        let script = PublishTailTests.repository.appendingPathComponent("scripts/demo.sh").path
        let process = try ChildProcess([ChildProcess.agentbusPath], executable: script, capturingStandardError: true)
        let status = await process.waitForExit()
        let output = process.lines
        let tail = (output.suffix(40) + process.errorLines.suffix(20)).joined(separator: "\n")
        #expect(status == 0, "\(tail)")
        func saw(_ text: String) -> Bool { output.contains { $0.contains(text) } }
        #expect(saw("needs role senior-underwriter or above"), "an approver below the threshold is refused\n\(tail)")
        #expect(saw("granted request"), "the large application was approved through the CLI\n\(tail)")
        #expect(saw("alert instance-dead (critical)"), "\(tail)")
        #expect(saw("partial assessments (a check missed the fan-in deadline): 1"), "\(tail)")
        #expect(saw("cancelled: workflow cancelled: the applicant withdrew"), "\(tail)")
        #expect(saw("· cancelled ·"), "replay shows the cancelled workflow\n\(tail)")
        #expect(saw("rejected (schema)"), "the malformed application was dead-lettered\n\(tail)")
        #expect(saw("decisions explained by the model"), "every final decision was explained\n\(tail)")
        #expect(saw("· 1 model call, "), "replay shows the explainer's model call with its tokens\n\(tail)")
        #expect(output.contains { $0.hasPrefix("   explainer ") && $0.contains("$") }, "agentbus costs sums the calls\n\(tail)")
        #expect(saw("/healthz: ok   /readyz: ready: "), "credit-check-1's probes answered\n\(tail)")
        #expect(output.contains { $0.contains("/metrics: ") && !$0.contains("agentbus_events_handled_total 0,") },
                "its metrics count the events it handled\n\(tail)")
        #expect(saw("every agent stopped cleanly"), "\(tail)")
    }
}
