import Tracing

extension HandlerContext {
    /// Asks `client` to answer `request`, as an effect (see ``effect(_:journal:_:)``): at most
    /// one call per handled event and `name`, whatever retries, redeliveries, rebalances and
    /// redrives follow; a handling that finds the answer in the journal gets it without calling.
    ///
    /// Every call is recorded in the activity record (``ModelCallRecord``: model, tokens,
    /// latency, cost from the agent's ``ModelPrices``), in the `agentbus_model_*` metrics, and on a `chat <model>` span with
    /// OpenTelemetry's GenAI attributes; its cost is added to the workflow's
    /// (``addCost(_:)``), so cost budgets hold in every process. A replayed answer adds its
    /// recorded cost again to this handling's outputs (the earlier attempt's outputs were never
    /// sent), and is marked `replayed`.
    ///
    /// - Parameters:
    ///   - name: the call within its handling; nil: `chat-0`, `chat-1`, ... in the order the
    ///     handling makes its unnamed calls (give concurrent calls a name each).
    ///   - journal: `.redacted` to keep personal data out of the journal, `.off` to call again
    ///     on every attempt.
    /// - Throws: ``ModelError`` (retried when retryable), ``CostBudgetExceeded`` when the
    ///   workflow has spent its budget already (no call is made), ``EffectError``,
    ///   ``PublishError/notEnabled(_:)`` when the agent does not declare ``Agent/usesEffects``.
    public func chat(
        _ request: ChatRequest, using client: any ModelClient, name: String? = nil,
        journal: EffectJournaling<ChatResponse> = .full
    ) async throws -> ChatResponse {
        let services = try effectServices()
        let effectName = name ?? withOutputs { outputs in
            defer { outputs.chatCount += 1 }
            return "chat-\(outputs.chatCount)"
        }
        let requestModel = request.model ?? client.defaultModel
        var journaled = true
        if case .off = journal { journaled = false }
        let record = { (response: ChatResponse) -> ModelCallRecord in
            ModelCallRecord(
                effect: effectName, provider: client.providerName, requestModel: requestModel,
                responseModel: response.model, inputTokens: response.usage.inputTokens,
                outputTokens: response.usage.outputTokens, latencyMilliseconds: response.latency.wholeMilliseconds,
                cost: services.prices.cost(of: response.usage, model: requestModel)
                    ?? services.prices.cost(of: response.usage, model: response.model) ?? 0,
                journaled: journaled, replayed: false)
        }
        let span = services.tracer.startSpan("chat \(requestModel)", context: ServiceContext.current ?? .topLevel, ofKind: .client)
        defer { span.end() }
        span.updateAttributes { attributes in
            attributes.set(GenAIAttribute.operationName, value: .string("chat"))
            attributes.set(GenAIAttribute.providerName, value: .string(client.providerName))
            attributes.set(GenAIAttribute.requestModel, value: .string(requestModel))
            attributes.set(GenAIAttribute.effect, value: .string(effectName))
            if let temperature = request.temperature { attributes.set(GenAIAttribute.requestTemperature, value: .double(temperature)) }
            if let maxTokens = request.maxTokens { attributes.set(GenAIAttribute.requestMaxTokens, value: .int64(Int64(maxTokens))) }
        }
        let run: EffectRun<ChatResponse>
        do {
            run = try await runEffect(effectName, journal: journal, call: { record($0).jsonBytes }) {
                // A workflow that spent its budget calls no model (a replayed answer costs nothing new).
                if let limit = CostBudgetExceeded.limit(of: event, maxWorkflowCost: services.maxWorkflowCost),
                    workflowCost >= limit
                {
                    throw CostBudgetExceeded(spent: workflowCost, limit: limit)
                }
                return try await client.complete(request)
            }
        } catch {
            span.recordError(error)
            span.setStatus(SpanStatus(code: .error, message: "\(error)"))
            throw error
        }
        var call = (try? ModelCallRecord(json: run.call)) ?? record(run.result)
        call.replayed = run.replayed
        let response = run.result
        span.updateAttributes { attributes in
            attributes.set(GenAIAttribute.responseModel, value: .string(response.model))
            attributes.set(GenAIAttribute.inputTokens, value: .int64(Int64(call.inputTokens)))
            attributes.set(GenAIAttribute.outputTokens, value: .int64(Int64(call.outputTokens)))
            if let reason = response.finishReason {
                attributes.set(GenAIAttribute.responseFinishReasons, value: .stringArray([reason]))
            }
            attributes.set(GenAIAttribute.cost, value: .double(call.cost))
            attributes.set(GenAIAttribute.replayed, value: .bool(run.replayed))
        }
        let recorded = call
        withOutputs { $0.modelCalls.append(recorded) }
        services.modelMetrics?.record(recorded)
        addCost(call.cost)
        if !run.replayed {
            logger.debug(
                "model answered",
                metadata: [
                    "model": "\(call.responseModel)", "input_tokens": "\(call.inputTokens)",
                    "output_tokens": "\(call.outputTokens)", "latency_ms": "\(call.latencyMilliseconds)",
                ])
        }
        return response
    }
}
