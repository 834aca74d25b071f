@testable import AgentBus
import Foundation
import TestSupport
import Testing

/// The rate-limited client over real HTTP on loopback, against a stand-in server of its own
/// (Tests/Fixtures/model-stub-server.py) that scripts storms of 429s and tells when each request
/// arrived: the spacing is measured where the provider would see it.
@Suite("Rate-limited model client", .serialized, .timeLimit(.minutes(1)))
struct RateLimitedModelClientTests {
    static let server = try? ModelStubServer()

    func stubServer() throws -> ModelStubServer { try #require(Self.server, "the stand-in server did not start") }

    func provider() throws -> OpenAICompatibleClient {
        OpenAICompatibleClient(configuration: .init(baseURL: try stubServer().apiURL, model: "smollm2-135m", timeout: .seconds(10)))
    }

    /// Makes the server's next `count` requests answer 429 with `Retry-After: 1`.
    func storm(_ count: Int) async throws {
        try await stubServer().storm(count)
    }

    /// The arrivals the server saw after the first `count`.
    func arrivals(after count: Int) async throws -> [Double] {
        Array(try await stubServer().arrivals().dropFirst(count))
    }

    /// Passes calls on to `base` and reports each 429 it sees.
    struct RefusalReporter: ModelClient {
        let base: any ModelClient
        let refused: AsyncStream<Void>.Continuation
        var defaultModel: String { base.defaultModel }

        func complete(_ request: ChatRequest) async throws(ModelError) -> ChatResponse {
            do {
                return try await base.complete(request)
            } catch {
                if error.kind == .rateLimited { refused.yield() }
                throw error
            }
        }
    }

    @Test("in a storm of 429s every caller of the pool waits Retry-After after each, and all calls succeed")
    func storm() async throws {
        let before = try await stubServer().arrivals().count
        try await storm(2)
        let pool = RateLimitPool(limit: .unlimited)
        let (refusals, refused) = AsyncStream.makeStream(of: Void.self)
        let first = RateLimitedModelClient(RefusalReporter(base: try provider(), refused: refused), pool: pool)
        let second = RateLimitedModelClient(try provider(), pool: pool)  // another handler's client, the same pool

        async let firstAnswer = first.complete(ChatRequest(messages: [.user("Summarize.")], maxTokens: 16))
        var seen = refusals.makeAsyncIterator()
        await seen.next()  // the first call was refused: its 429's throttle holds the pool
        await pool.waitUntilWaiting(1)  // and it waits in the pool to try again
        let secondAnswer = try await second.complete(ChatRequest(messages: [.user("Classify.")], maxTokens: 8))
        let answer = try await firstAnswer

        #expect(answer.content.contains(#""max_tokens": 16"#))
        #expect(secondAnswer.content.contains(#""max_tokens": 8"#))
        // The first call refused at 0; at 1 s both callers went, and one of them was refused
        // again; it went again a second after that.
        let arrivals = try await arrivals(after: before).sorted()
        try #require(arrivals.count == 4, "two refused, two answered: \(arrivals)")
        #expect(arrivals[1] - arrivals[0] >= 1, "the first caller waited Retry-After")
        #expect(arrivals[2] - arrivals[0] >= 1, "the second caller was held by the first one's 429")
        #expect(arrivals[3] - arrivals[1] >= 1, "the caller refused again waited Retry-After again")
    }

    @Test("a request limit spaces calls where the provider sees them: 300 a minute without burst, ten calls 0.2 s apart")
    func requestsPerMinute() async throws {
        let before = try await stubServer().arrivals().count
        let client = RateLimitedModelClient(
            try provider(), pool: RateLimitPool(limit: RateLimit(requestsPerMinute: 300, burst: .zero)))
        let answers = try await withThrowingTaskGroup(of: ChatResponse.self) { group in
            for index in 1...10 {
                group.addTask { try await client.complete(ChatRequest(messages: [.user("call \(index)")])) }
            }
            return try await group.reduce(into: [ChatResponse]()) { $0.append($1) }
        }
        #expect(answers.count == 10)
        let arrivals = try await arrivals(after: before).sorted()
        try #require(arrivals.count == 10)
        // Measured from the first arrival: one request delayed on its way (a busy machine) would
        // make the gap after it short without the limiter releasing anything early.
        for index in 1..<10 {
            #expect(arrivals[index] - arrivals[0] >= 0.2 * Double(index) - 0.05, "call \(index + 1) came early: \(arrivals)")
        }
        #expect(arrivals[9] - arrivals[0] >= 1.75)
    }

    @Test("past maxWait the last 429 is thrown, and the pool stays throttled for the other callers")
    func maxWait() async throws {
        let before = try await stubServer().arrivals().count
        try await storm(1)
        let pool = RateLimitPool(limit: .unlimited)
        let client = RateLimitedModelClient(try provider(), pool: pool, maxWait: .milliseconds(500))
        await #expect(throws: ModelError(.rateLimited, "Rate limit reached (storm)", status: 429, retryAfter: .seconds(1))) {
            try await client.complete(ChatRequest(messages: [.user("Summarize.")]))
        }
        #expect(try await arrivals(after: before).count == 1, "Retry-After was past maxWait: no second try")
        #expect(pool.throttledFor > .milliseconds(500))
    }

    @Test("other errors pass through unchanged, at the first try")
    func otherErrors() async throws {
        let before = try await stubServer().arrivals().count
        let client = RateLimitedModelClient(try provider(), pool: RateLimitPool(limit: .unlimited))
        await #expect(throws: ModelError(.badRequest, "The model `nope` does not exist", status: 400)) {
            try await client.complete(ChatRequest(messages: [.user("bad")]))
        }
        #expect(try await arrivals(after: before).count == 1)
    }

    @Test("cancellation ends the wait at once, with a rate-limited error and no call")
    func cancellation() async throws {
        let before = try await stubServer().arrivals().count
        let pool = RateLimitPool(limit: .unlimited)
        pool.throttle(for: .seconds(60))
        let client = RateLimitedModelClient(try provider(), pool: pool)
        let call = Task { try await client.complete(ChatRequest(messages: [.user("Summarize.")])) }
        await pool.waitUntilWaiting(1)
        call.cancel()
        let error = try #require(await #expect(throws: ModelError.self) { try await call.value })
        #expect(error.kind == .rateLimited)
        #expect(error.message == "cancelled while waiting for the model's rate limit")
        #expect(try await arrivals(after: before).isEmpty)
    }

    @Test("a request's tokens are estimated as its prompt at four characters a token plus its answer's maximum")
    func estimate() {
        let request = ChatRequest(messages: [.system("12345678"), .user("1234")], maxTokens: 100, responseSchema: "{}")
        #expect(RateLimitedModelClient.estimatedTokens(of: request) == 4 + 100)  // 14 characters, rounded up
        #expect(RateLimitedModelClient.estimatedTokens(of: ChatRequest(messages: [.user("12345678")])) == 2)
    }
}
