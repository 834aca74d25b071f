import JSONSchema

extension HandlerContext {
    /// Runs `body`, a side effect (a model or tool call, a payment, an e-mail), at most once per
    /// handled event and effect `name`: its result is recorded in the agent's effect journal
    /// (`<agent>.journal`, keyed `<event ID>/<name>`) and returned from there, without running
    /// `body`, when the event is handled again: a retry, a redelivery after a crash or a
    /// rebalance (on any instance), a dead letter redriven.
    ///
    /// ```swift
    /// let receipt = try await context.effect("charge") { try await payments.charge(order) }
    /// ```
    ///
    /// What is exactly once and what is not:
    /// - `body` finished and its result was acknowledged by the broker: never runs again for
    ///   this event (as long as the journal keeps the entry, see ``EffectJournal``).
    /// - `body` threw: nothing is recorded; the next attempt runs it again.
    /// - The instance died between `body` finishing and the broker acknowledging the record (a
    ///   few milliseconds): the next handling runs it again. Effects should still be safe to
    ///   repeat when they can be (an idempotency key: the event's ID and `name`).
    /// - `journal: .off`: runs on every attempt (at least once).
    /// - The attempt was cancelled (past its deadline, the instance stopping, its partition
    ///   revoked, its workflow cancelled): `body` does not start, `effect` throws
    ///   `CancellationError`; an abandoned attempt does not race the one that replaced it.
    ///
    /// - Parameters:
    ///   - name: the effect within its handling; two effects of one handling may not share one,
    ///     and names starting with `agentbus.` are the runtime's.
    ///   - journal: what is recorded: the result, a redacted result, or nothing.
    /// - Throws: what `body` throws; ``EffectError`` when the name is taken, the result is
    ///   larger than a journal record may be (``AgentPolicies/maxJournalEntryBytes``), or a
    ///   recorded result no longer decodes; ``PublishError/notEnabled(_:)`` when the agent does
    ///   not declare ``Agent/usesEffects``.
    public func effect<Result: Codable & Sendable>(
        _ name: String, journal: EffectJournaling<Result> = .full, _ body: () async throws -> Result
    ) async throws -> Result {
        try await runEffect(name, journal: journal, call: nil, body).result
    }

    /// The outcome of ``runEffect(_:journal:call:_:)``: the result, whether it came from the
    /// journal, and the model call record journaled with it.
    struct EffectRun<Result> {
        var result: Result
        var replayed: Bool
        var call: [UInt8]
    }

    /// Runs or replays an effect; `call` makes the model call record journaled with a result.
    func runEffect<Result: Codable & Sendable>(
        _ name: String, journal mode: EffectJournaling<Result>, call: ((Result) -> [UInt8])?,
        _ body: () async throws -> Result
    ) async throws -> EffectRun<Result> {
        let services = try effectServices()
        if name.isEmpty || name.hasPrefix("agentbus.") || name.contains("/") {
            throw EffectError(.badName, "effect name \"\(name)\" must be non-empty, without /, and not start with agentbus.")
        }
        guard withOutputs({ $0.effectNames.insert(name).inserted }) else {
            throw EffectError(.badName, "two effects of one handling of \(event.type) \(event.id) are named \"\(name)\"")
        }
        let key = EffectJournal.key(event: event.id, effect: name)
        if case .off = mode {
            if services.replayOnly {
                throw EffectError(.notJournaled, "effect \"\(name)\" is not journaled (journal: .off), so a rerun cannot replay it")
            }
        } else if let entry = services.journal.entry(for: key) {
            do {
                let result = try JSONPayload.decode(Result.self, from: entry.result)
                logger.debug("effect replayed from the journal", metadata: ["effect": "\(name)"])
                return EffectRun(result: result, replayed: true, call: entry.call)
            } catch {
                throw EffectError(
                    .undecodable, "journaled result of effect \"\(name)\" does not decode as \(Result.self): \(error)")
            }
        } else if services.replayOnly {
            throw EffectError(
                .notJournaled, "effect \"\(name)\" of \(event.type) \(event.id) is not in the journal: the recorded handling did not run it")
        }
        // An attempt given up (its deadline, a stop, a revocation, its workflow cancelled) may
        // still be running, beside the attempt that replaced it: it starts nothing new.
        try Task.checkCancellation()
        let result = try await body()
        let journaled: Result
        switch mode {
        case .off: return EffectRun(result: result, replayed: false, call: call?(result) ?? [])
        case .full: journaled = result
        case .redacted(let redact): journaled = redact(result)
        }
        let bytes: [UInt8]
        do { bytes = try JSONPayload.encode(journaled) } catch {
            throw EffectError(.undecodable, "result of effect \"\(name)\" does not encode: \(error)")
        }
        let entry = EffectJournalEntry(result: bytes, call: call?(result) ?? [])
        guard bytes.count + entry.call.count <= services.maxEntryBytes else {
            throw EffectError(
                .tooLarge,
                "result of effect \"\(name)\" is \(bytes.count) bytes, more than a journal record may hold "
                    + "(\(services.maxEntryBytes) bytes, AgentPolicies.maxJournalEntryBytes, below the brokers' "
                    + "message.max.bytes): redact it (journal: .redacted) or keep it out (journal: .off)")
        }
        services.journal.record(entry, for: key)
        if let writer = services.writer {
            var redacted = false
            if case .redacted = mode { redacted = true }
            await writer.write(
                entry, key: key, effect: name, correlationID: event.correlationID, redacted: redacted,
                to: services.journal.topic)
        }
        return EffectRun(result: result, replayed: false, call: entry.call)
    }

    func effectServices() throws(PublishError) -> EffectServices {
        guard let effects = services.effects else {
            throw .notEnabled("agent \(agent) does not journal effects: declare `let usesEffects = true` in the agent")
        }
        return effects
    }
}
