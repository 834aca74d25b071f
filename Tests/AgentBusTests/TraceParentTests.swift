import AgentBus
import Testing

@Suite("W3C traceparent")
struct TraceParentTests {
    @Test("parses the W3C example and renders it back")
    func example() throws {
        let header = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
        let parent = try #require(TraceParent(header))
        #expect(parent.traceIDHigh == 0x4BF9_2F35_77B3_4DA6)
        #expect(parent.traceIDLow == 0xA3CE_929D_0E0E_4736)
        #expect(parent.spanID == 0x00F0_67AA_0BA9_02B7)
        #expect(parent.flags == 0x01)
        #expect(parent.isSampled)
        #expect(parent.description == header)
        #expect(parent.traceIDHex == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(parent.spanIDHex == "00f067aa0ba902b7")

        let unsampled = try #require(TraceParent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00"))
        #expect(!unsampled.isSampled)
        #expect(unsampled.description.hasSuffix("-00"))
    }

    @Test("valid headers", arguments: [
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00",
        "00-00000000000000000000000000000001-0000000000000001-00",
        "00-ffffffffffffffffffffffffffffffff-ffffffffffffffff-ff",
        // Level 2's random flag (0x02) and unknown bits are kept on version 00.
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-03",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-09",
    ])
    func valid(header: String) throws {
        let parent = try #require(TraceParent(header))
        #expect(parent.description == header)
    }

    @Test("invalid headers", arguments: [
        "",
        // Uppercase hex anywhere.
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00F067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0A",
        "0A-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        // All-zero trace-id or parent-id.
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
        // Version ff is forbidden.
        "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        // Version 00 must end after the flags.
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what-the-future-will-be-like",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01 ",
        " 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        // Wrong lengths.
        "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e47366-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b77-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-011",
        "0-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        // Wrong separators and non-hex.
        "00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7_01",
        "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902bz-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-.1",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-é",
        // A future version must still have the 55-character prefix, then '-' or the end.
        "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x",
        "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
        "01-00000000000000000000000000000000-00f067aa0ba902b7-01",
    ])
    func invalid(header: String) {
        #expect(TraceParent(header) == nil)
    }

    @Test("a future version is read leniently and re-emitted as version 00", arguments: [
        "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what-the-future-will-be-like",
        "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-03-",
    ])
    func futureVersion(header: String) throws {
        let parent = try #require(TraceParent(header))
        #expect(parent.description == "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
    }

    @Test("newRoot() makes fresh non-zero IDs with the requested sampling")
    func newRoot() throws {
        let sampled = TraceParent.newRoot()
        #expect(sampled.isSampled)
        #expect(sampled.flags == 0x01)
        #expect(!TraceParent.newRoot(sampled: false).isSampled)
        #expect(TraceParent(sampled.description) == sampled)
        #expect(sampled.traceIDHex.count == 32)
        #expect(sampled.spanIDHex.count == 16)

        let roots = (0 ..< 1000).map { _ in TraceParent.newRoot() }
        #expect(Set(roots.map(\.traceIDHex)).count == 1000)
        #expect(Set(roots.map(\.spanID)).count == 1000)
        #expect(roots.allSatisfy { $0.spanID != 0 && ($0.traceIDHigh | $0.traceIDLow) != 0 })
    }

    @Test("child() keeps trace ID and flags and changes the span ID")
    func child() throws {
        let parent = try #require(TraceParent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00"))
        let child = parent.child()
        #expect(child.traceIDHex == parent.traceIDHex)
        #expect(child.flags == parent.flags)
        #expect(child.spanID != parent.spanID)
        #expect(child.spanID != 0)
        #expect(child.child().spanID != child.spanID)
        #expect(TraceParent(child.description) == child)
    }

    @Test("the field initializer refuses all-zero IDs")
    func fieldInit() {
        #expect(TraceParent(traceIDHigh: 0, traceIDLow: 0, spanID: 1, flags: 1) == nil)
        #expect(TraceParent(traceIDHigh: 0, traceIDLow: 1, spanID: 0, flags: 1) == nil)
        #expect(TraceParent(traceIDHigh: 0, traceIDLow: 1, spanID: 1, flags: 1)?.description
            == "00-00000000000000000000000000000001-0000000000000001-01")
    }
}
