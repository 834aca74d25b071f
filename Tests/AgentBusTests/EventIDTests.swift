@testable import AgentBus
import Testing

@Suite("SHA-1 (for UUIDv5)")
struct SHA1Tests {
    func sha1(_ text: String) -> String {
        var copy = text
        return copy.withUTF8 { SHA1.hash(UnsafeRawBufferPointer($0)).hex }
    }

    @Test("FIPS 180-4 / RFC 3174 test vectors")
    func vectors() {
        #expect(sha1("abc") == "a9993e364706816aba3e25717850c26c9cd0d89d")
        #expect(sha1("") == "da39a3ee5e6b4b0d3255bfef95601890afd80709")
        #expect(sha1("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
            == "84983e441c3bd26ebaae4aa1f95129e5e54670f1")
        #expect(sha1(String(repeating: "a", count: 1_000_000)) == "34aa973cd4c4daa4f61eeb2bdbad27316534016f")
    }

    @Test("lengths around the padding boundaries (expected values from Python's hashlib)", arguments: [
        (55, "c1c8bbdc22796e28c0e15163d20899b65621d65a"),
        (56, "c2db330f6083854c99d4b5bfb6e8f29f201be699"),
        (63, "03f09f5b158a7a8cdad920bddc29b81c18a551f5"),
        (64, "0098ba824b5c16427bd7a1122a5a442a25ec644d"),
        (65, "11655326c708d70319be2610e8a57d9a5b959d3b"),
        (119, "ee971065aaa017e0632a8ca6c77bb3bf8b1dfc56"),
        (120, "f34c1488385346a55709ba056ddd08280dd4c6d6"),
        (128, "ad5b3fdbcb526778c2839d2f151ea753995e26a0"),
    ])
    func paddingBoundaries(length: Int, expected: String) {
        #expect(sha1(String(repeating: "a", count: length)) == expected)
    }

    @Test("feeding in pieces of any size gives the one-shot digest")
    func incremental() {
        let bytes = (0 ..< 1000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        let oneShot = bytes.withUnsafeBytes { SHA1.hash($0) }
        for piece in [1, 3, 63, 64, 65, 127, 500] {
            var hasher = SHA1()
            var start = 0
            while start < bytes.count {
                let end = min(start + piece, bytes.count)
                bytes[start ..< end].withUnsafeBytes { hasher.update($0) }
                start = end
            }
            #expect(hasher.finalize() == oneShot, "piece size \(piece)")
        }
    }
}

@Suite("Event IDs")
struct EventIDTests {
    // MARK: UUIDv7

    @Test("random() is a UUIDv7: version 7, variant 10, the current Unix milliseconds")
    func v7Layout() {
        let before = EventTime.now().millisecondsSinceEpoch
        let id = EventID.random()
        let after = EventTime.now().millisecondsSinceEpoch
        #expect(id.version == 7)
        #expect(id.variantBits == 0b10)
        let text = id.description
        #expect(Array(text)[14] == "7")
        #expect("89ab".contains(Array(text)[19]))
        // The 12-bit counter may run the stamp a few ms ahead under a burst, never behind.
        #expect(id.unixMilliseconds >= before)
        #expect(id.unixMilliseconds <= after + 5)
    }

    @Test("random() IDs from one process strictly increase and are unique over 10k")
    func v7OrderAndUniqueness() {
        var ids: [EventID] = []
        ids.reserveCapacity(10_000)
        for _ in 0 ..< 10_000 { ids.append(EventID.random()) }
        #expect(Set(ids).count == 10_000)
        #expect(zip(ids, ids.dropFirst()).allSatisfy { $0 < $1 })
        // Byte order is text order, so Kafka tools that sort keys as strings see the same order.
        #expect(zip(ids, ids.dropFirst()).allSatisfy { $0.description < $1.description })
        #expect(Set(ids.map(\.version)) == [7])
        #expect(Set(ids.map(\.variantBits)) == [0b10])
    }

    @Test("random() from many threads at once stays unique")
    func v7Concurrent() async {
        let batches = await withTaskGroup(of: [EventID].self) { group in
            for _ in 0 ..< 8 {
                group.addTask { (0 ..< 2_000).map { _ in EventID.random() } }
            }
            var all: [[EventID]] = []
            for await batch in group { all.append(batch) }
            return all
        }
        let all = batches.flatMap { $0 }
        #expect(Set(all).count == 16_000)
        for batch in batches {
            #expect(zip(batch, batch.dropFirst()).allSatisfy { $0 < $1 })
        }
    }

    @Test("the 62 random bits vary")
    func v7Randomness() {
        let lows = (0 ..< 1000).map { _ in EventID.random().low & 0x3FFF_FFFF_FFFF_FFFF }
        #expect(Set(lows).count == 1000)
        // Every one of the 62 bits is seen both set and clear.
        let ored = lows.reduce(0, |), anded = lows.reduce(~0, &)
        #expect(ored == 0x3FFF_FFFF_FFFF_FFFF)
        #expect(anded == 0)
    }

    // MARK: UUIDv5

    @Test("the namespace is UUIDv5 of https://agentbus.dev/ns/event-id in the RFC URL namespace")
    func namespaceDerivation() throws {
        let urlNamespace = try #require(EventID("6ba7b811-9dad-11d1-80b4-00c04fd430c8"))
        var sha = SHA1()
        withUnsafeBytes(of: (urlNamespace.high.bigEndian, urlNamespace.low.bigEndian)) { sha.update($0) }
        sha.update(utf8: "https://agentbus.dev/ns/event-id")
        let digest = sha.finalize()
        let derived = EventID(high: digest.high64 & ~0xF000 | 0x5000,
                              low: digest.low64 & 0x3FFF_FFFF_FFFF_FFFF | 0x8000_0000_0000_0000)
        #expect(derived == EventID.namespace)
        #expect(EventID.namespace.description == "413f799d-ac9b-5f74-be08-fbe56004a6c1")
    }

    /// Expected values from CPython 3:
    /// `uuid.uuid5(uuid.UUID("413f799d-ac9b-5f74-be08-fbe56004a6c1"), f"{parent}/{agent}/{index}")`.
    @Test("derived() equals Python's uuid.uuid5 in the AgentBus namespace", arguments: [
        ("0190a5b2-7c3e-7def-8abc-0123456789ab", "planner", 0, "ec9d36b6-025b-5db2-8336-9dbeb64193c9"),
        ("order-42", "billing-agent", 7, "e7974a31-6db5-5097-a794-6f7f57b972c7"),
        ("évènement/ü", "agent ☃", 123_456_789, "bc016d8d-81f0-5db4-a50b-d2d2312807bf"),
    ])
    func derivedMatchesPython(parent: String, agent: String, index: Int, expected: String) {
        let id = EventID.derived(from: parent, agent: agent, index: index)
        #expect(id.description == expected)
        #expect(id.version == 5)
        #expect(id.variantBits == 0b10)
    }

    @Test("derived() edge cases match Python too: negative and extreme indexes, empty parts, long names")
    func derivedEdges() {
        #expect(EventID.derived(from: "x", agent: "y", index: -3).description == "e972dfe5-558d-551d-a2f9-34db32d5521d")
        #expect(EventID.derived(from: "p", agent: "a", index: .min).description == "1ba70c34-8351-5cda-9247-09528d460974")
        #expect(EventID.derived(from: "p", agent: "a", index: .max).description == "8837aa76-eb93-553f-934e-c343cfa9dd8c")
        #expect(EventID.derived(from: "", agent: "", index: 0).description == "4da5b65b-379b-5e5b-980b-28dcbe469066")
        // 70 + 8 name bytes + 16 namespace bytes spans two SHA-1 blocks.
        #expect(EventID.derived(from: String(repeating: "x", count: 70), agent: "agent", index: 3).description
            == "6811b74b-1c79-590f-8093-556d97d1d24b")
    }

    @Test("derived() is deterministic and sensitive to each input")
    func derivedDeterminism() {
        let id = EventID.derived(from: "p", agent: "a", index: 1)
        #expect(id == EventID.derived(from: "p", agent: "a", index: 1))
        #expect(id != EventID.derived(from: "p", agent: "a", index: 2))
        #expect(id != EventID.derived(from: "p", agent: "b", index: 1))
        #expect(id != EventID.derived(from: "q", agent: "a", index: 1))
        // A Substring-backed (non-native) parent hashes the same bytes.
        let parent = String("xxp".dropFirst(2))
        #expect(EventID.derived(from: parent, agent: "a", index: 1) == id)
    }

    /// Expected values from CPython 3: `uuid.uuid5(namespace, f"{parent}/{agent}/{type}/{index}")`
    /// for unnamed outputs, `f"{parent}/{agent}/{type}/#{name}"` for named ones.
    @Test("per-type and named derivations equal Python's uuid.uuid5 over their documented names")
    func outputDerivationsMatchPython() {
        let type = "dev.agentbus.loan.credit.checked.v1"
        #expect(EventID.derived(from: "parent-1", agent: "credit-check", type: type, index: 0).description
            == "9ea5560d-01a7-593d-9a53-e4e18540fd14")
        #expect(EventID.derived(from: "parent-1", agent: "credit-check", type: type, name: "summary").description
            == "b3887370-ee7f-550d-b540-92b46382bcf1")
    }

    @Test("per-type derivation depends on the type; a name never equals an index")
    func outputDerivationsDistinct() {
        let first = EventID.derived(from: "p", agent: "a", type: "t.one.v1", index: 0)
        #expect(first != EventID.derived(from: "p", agent: "a", type: "t.two.v1", index: 0))
        #expect(first != EventID.derived(from: "p", agent: "a", type: "t.one.v1", index: 1))
        #expect(first != EventID.derived(from: "p", agent: "a", type: "t.one.v1", name: "0"))
        #expect(first.version == 5 && first.variantBits == 0b10)
    }

    // MARK: Text

    @Test("parsing accepts any case and prints lowercase; description round-trips")
    func parsing() throws {
        let upper = try #require(EventID("0190A5B2-7C3E-7DEF-8ABC-0123456789AB"))
        #expect(upper.description == "0190a5b2-7c3e-7def-8abc-0123456789ab")
        #expect(EventID(upper.description) == upper)
        #expect(EventID("0190a5B2-7c3E-7dEf-8AbC-0123456789aB") == upper)
        #expect(EventID("00000000-0000-0000-0000-000000000000")?.description == "00000000-0000-0000-0000-000000000000")
        #expect(EventID("ffffffff-ffff-ffff-ffff-ffffffffffff")?.description == "ffffffff-ffff-ffff-ffff-ffffffffffff")
        for _ in 0 ..< 100 {
            let id = EventID.random()
            #expect(EventID(id.description) == id)
        }
        // LosslessStringConvertible, generically.
        func roundTrip<T: LosslessStringConvertible & Equatable>(_ value: T) -> Bool { T(value.description) == value }
        #expect(roundTrip(upper))
    }

    @Test("parsing rejects anything but the 36-character hyphenated form", arguments: [
        "",
        "0190a5b2-7c3e-7def-8abc-0123456789a",
        "0190a5b2-7c3e-7def-8abc-0123456789abc",
        "0190a5b27c3e7def8abc0123456789ab",
        "{0190a5b2-7c3e-7def-8abc-0123456789ab}",
        "urn:uuid:0190a5b2-7c3e-7def-8abc-0123456789ab",
        "0190a5b2-7c3e-7def-8abc_0123456789ab",
        "0190a5b2-7c3e7-def-8abc-0123456789ab",
        "0190a5g2-7c3e-7def-8abc-0123456789ab",
        " 0190a5b2-7c3e-7def-8abc-0123456789a",
        "0190a5b2-7c3e-7def-8abc-0123456789aé",
        "+190a5b2-7c3e-7def-8abc-0123456789ab",
    ])
    func rejects(text: String) {
        #expect(EventID(text) == nil)
    }
}
