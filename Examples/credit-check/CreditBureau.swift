import LoanEvents

/// A deterministic stand-in for a credit bureau API, with a simulated latency: the kind of
/// client an agent holds as a stored property and its handlers call.
struct CreditBureau: Sendable {
    struct Report {
        var bureau: CreditChecked.Bureau
        var score: Int
        var openAccounts: Int
        var delinquencies: Int
        var debt: Double
    }

    /// How long each report takes, as a real bureau's round trip would.
    var latency: Duration = .zero

    func report(for applicantID: String) async throws -> Report {
        if latency > .zero { try await Task.sleep(for: latency) }
        // FNV-1a: stable across runs and machines, unlike Swift's seeded hashValue.
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in applicantID.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        let bureaus = CreditChecked.Bureau.allCases
        return Report(
            bureau: bureaus[Int(hash % UInt64(bureaus.count))], score: 300 + Int(hash >> 8 % 551),
            openAccounts: Int(hash >> 20 % 9), delinquencies: Int(hash >> 28 % 4),
            debt: Double(hash >> 32 % 50_000))
    }
}
