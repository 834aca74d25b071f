import AgentBus
import AgentBusTesting
import Foundation
import LoanEvents
import Testing

@testable import intake

@Suite("intake")
struct IntakeTests {
    func tester(_ normalizer: ApplicationNormalizer = ApplicationNormalizer()) throws -> AgentTester {
        try AgentTester(IntakeAgent(normalizer: normalizer), schemas: LoanCatalog.registry)
    }

    /// The first submitted example, changed by `change`.
    func submitted(_ change: (inout ApplicationSubmitted) -> Void = { _ in }) -> ApplicationSubmitted {
        var application = ApplicationSubmitted.examples[0]
        change(&application)
        return application
    }

    @Test("the submitted examples normalize to the received examples: IDs, name, email, currency, checks")
    func normalizesExamples() async throws {
        let tester = try tester()
        for (submitted, received) in zip(ApplicationSubmitted.examples, ApplicationReceived.examples) {
            let result = try await tester.handle(submitted)
            #expect(result.outcome == .handled)
            #expect(try result.published(ApplicationReceived.self) == [received])
        }
    }

    @Test("a name typed in one case is capitalized word by word; a mixed-case name is kept")
    func names() {
        #expect(ApplicationNormalizer.normalizedName("  ANNE-MARIE   O'BRIEN ") == "Anne-Marie O'Brien")
        #expect(ApplicationNormalizer.normalizedName("jonas lindqvist") == "Jonas Lindqvist")
        #expect(ApplicationNormalizer.normalizedName(" Ewan  McAllister ") == "Ewan McAllister")
    }

    @Test("the checks: documents only when uploaded, credit always, fraud unless a small branch loan")
    func requiredChecks() async throws {
        let tester = try tester()
        func checks(_ change: (inout ApplicationSubmitted) -> Void) async throws -> [AssessmentCheck]? {
            try await tester.handle(submitted(change)).published(ApplicationReceived.self).first?.requiredChecks
        }
        #expect(try await checks { _ in } == [.documents, .credit, .fraud])
        #expect(try await checks { $0.documents = [] } == [.credit, .fraud])
        #expect(try await checks { $0.documents = nil; $0.channel = .branch; $0.amount = 25_000 } == [.credit])
        #expect(try await checks { $0.documents = nil; $0.channel = .branch; $0.amount = 25_000.01 } == [.credit, .fraud])
        #expect(try await checks { $0.channel = .partner; $0.amount = 900 } == [.documents, .credit, .fraud])
    }

    @Test("a document uploaded twice is read once")
    func duplicateDocuments() async throws {
        let application = submitted { $0.documents = $0.documents.map { $0 + $0 } }
        let received = try await tester().handle(application).published(ApplicationReceived.self)
        #expect(received.first?.documents == ApplicationSubmitted.examples[0].documents)
    }

    struct Refusal: Sendable, CustomStringConvertible {
        var what: String
        var change: @Sendable (inout ApplicationSubmitted) -> Void
        var reason: String
        var description: String { what }
    }

    static let refusals: [Refusal] = [
        .init(what: "amount 0", change: { $0.amount = 0 }, reason: "amount must be above 0, got 0.0"),
        .init(what: "negative amount", change: { $0.amount = -5 }, reason: "amount must be above 0, got -5.0"),
        .init(what: "fractions of a cent", change: { $0.amount = 100.005 }, reason: "amount 100.005 has fractions of a cent"),
        .init(what: "currency not lent in", change: { $0.currency = " jpy" },
              reason: "currency \" jpy\" is not lent in (EUR, GBP, SEK, USD)"),
        .init(what: "a minor", change: { $0.applicant.dateOfBirth = "2010-01-01" },
              reason: "the applicant is 16, under the minimum age of 18"),
        .init(what: "18 tomorrow", change: { $0.applicant.dateOfBirth = "2008-11-22" },
              reason: "the applicant is 17, under the minimum age of 18"),
        .init(what: "born after applying", change: { $0.applicant.dateOfBirth = "2030-01-01" },
              reason: "dateOfBirth 2030-01-01 is after the application was submitted"),
        .init(what: "term too short", change: { $0.termMonths = 3 }, reason: "termMonths must be 6 to 360, got 3"),
        .init(what: "malformed application ID", change: { $0.applicationId = "APP-42" },
              reason: "applicationId \"APP-42\" is not APP- and six digits"),
        .init(what: "malformed applicant ID", change: { $0.applicantId = "118042" },
              reason: "applicantId \"118042\" is not CUS- and six digits"),
        .init(what: "not an email", change: { $0.applicant.email = "amara.okafor at example.com" },
              reason: "email \"amara.okafor at example.com\" is not an email address"),
        .init(what: "blank name", change: { $0.applicant.name = "   " }, reason: "the applicant's name is blank"),
    ]

    @Test("a business rule broken: dead-lettered at once as permanent, with the reason", arguments: refusals)
    func refused(_ refusal: Refusal) async throws {
        let result = try await tester().handle(submitted(refusal.change))
        #expect(result.outcome == .deadLettered(.permanent))
        #expect(result.attempts == 1)
        #expect(result.outputs.isEmpty)
        let reason = try #require(result.deadLetter?.reason)
        #expect(reason.contains(refusal.reason), "\(reason)")
        #expect(reason.hasPrefix("application "), "\(reason)")
    }

    @Test("every broken rule is named, on one line")
    func everyReason() async throws {
        let result = try await tester().handle(submitted { $0.amount = -1; $0.currency = "XXX"; $0.termMonths = 400 })
        let reason = try #require(result.deadLetter?.reason)
        #expect(reason == """
            application APP-004217 refused: amount must be above 0, got -1.0; currency "XXX" is not lent in \
            (EUR, GBP, SEK, USD); termMonths must be 6 to 360, got 400
            """)
    }

    @Test("the currencies lent in are a setting")
    func currencies() async throws {
        var normalizer = ApplicationNormalizer()
        normalizer.currencies = ["JPY"]
        let result = try await tester(normalizer).handle(submitted { $0.currency = "jpy"; $0.amount = 3_000_000 })
        #expect(try result.published(ApplicationReceived.self).first?.requested == Money(amount: 3_000_000, currency: "JPY"))
        #expect(try await tester(normalizer).handle(submitted()).outcome == .deadLettered(.permanent))
    }
}
