import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import StewardCore
import StewardJSON

/// Runs the LLM gateway's calls, whoever makes them (a client through the `/v1` routes, or a prompt evaluation):
/// renders a registered prompt the call names (the version a prompt experiment gives its unit), applies the
/// system's safety checks, answers from the cache when it may, and otherwise goes to the model's provider and then
/// to its fallbacks on 429, 5xx or no answer in time, holding the call's worst case against the budgets while it
/// runs and settling its real cost when it ends; every call becomes an inference event of its system.
struct GatewayCalls: Sendable {
    let gateway: GatewayService
    let client: LLMProviderClient
    let traffic: ServingTraffic
    let logger: Logger
    let cache: GatewayAnswerCache
    /// Where a prompt experiment's judge joins its grades.
    let events: EventService
    /// Answers larger than this are a provider failure.
    static var largestAnswer: Int { 64 << 20 }

    /// A call's answer: whole (an answer, an error the provider gave, or the cache's), or a stream under way.
    enum Outcome {
        case complete(HTTPResponse.Status, HTTPFields, ByteBuffer)
        case streaming(Response)

        var response: Response {
            switch self {
            case .complete(let status, let headers, let body): Response(status: status, headers: headers, body: ResponseBody(byteBuffer: body))
            case .streaming(let response): response
            }
        }
    }

    /// A client's call through `/v1` (`kind`, the request's `body`) by `caller`, with the request id, unit and
    /// `Cache-Control` its headers give. One entry for the router's routes (`GatewayController`) and the serving
    /// fast path (`ServingFastPath`).
    func answer(
        _ kind: GatewayCall.Kind, caller: GatewayService.Caller, body: ByteBuffer, requestIDHeader: String?, unitHeader: String?,
        cacheControl: String?, started: ContinuousClock.Instant, time: Int64
    ) async throws -> Outcome {
        let call = try GatewayCall(kind: kind, body: Data(buffer: body, byteTransferStrategy: .noCopy))
        // The unit a prompt experiment splits by: the header, else the request's user.
        return try await run(
            call, caller: caller, requestID: ServingTraffic.requestID(header: requestIDHeader), unit: unitHeader ?? call.user,
            useCache: !Self.refusesCache(cacheControl), started: started, time: time)
    }

    /// Whether the client asked not to be answered from a cache (`Cache-Control: no-cache` or `no-store`).
    static func refusesCache(_ cacheControl: String?) -> Bool {
        let directives = cacheControl?.lowercased() ?? ""
        return directives.contains("no-cache") || directives.contains("no-store")
    }

    /// Runs `call` for `caller`. `unit` is what a prompt experiment splits by; `useCache` false skips the cache.
    func run(
        _ call: GatewayCall, caller: GatewayService.Caller, requestID: String, unit: String?, useCache: Bool, started: ContinuousClock.Instant,
        time: Int64
    ) async throws -> Outcome {
        let route = try await gateway.route(caller, model: call.model)
        var call = call
        var prompt: Recorded.Prompt?
        if let reference = call.prompt {
            let rendered = try await gateway.renderPrompt(reference, for: caller, unit: unit)
            call = try call.rendered(rendered.messages)
            prompt = Recorded.Prompt(name: reference.name, version: rendered.version, experiment: rendered.experiment, unit: unit)
        }
        let safety = try await gateway.safetyPolicy(systemID: caller.system.id)
        let inputFindings = safety.findings(in: call.promptText, direction: .input)
        func recorded(
            _ model: GatewayConfiguration.Model?, fallback: Bool = false, reservation: GatewayReservation? = nil, cacheHit: Bool = false
        ) -> Recorded {
            Recorded(
                systemID: caller.system.id, requestID: requestID, time: time, started: started, call: call, prompt: prompt, model: model,
                keyID: caller.keyName, fallback: fallback, recorder: traffic.recorder, gateway: gateway, reservation: reservation,
                cacheHit: cacheHit, flags: inputFindings.map(\.name))
        }
        if let blocking = inputFindings.first(where: { $0.action == .block }) {
            recorded(route.targets.first?.model).write(
                usage: TokenUsage(promptTokens: 0, completionTokens: 0), completionCharacters: 0, finishReason: nil, failed: true)
            throw StewardError(.contentBlocked, "The prompt was blocked by the safety check '\(blocking.name)'; nothing was sent to the provider.")
        }
        let configuration = try await gateway.configuration()
        let settings = configuration.configuration.cache
        // The configuration's version is part of the key: a model's provider or upstream model may have changed.
        let cacheKey = settings.flatMap {
            call.cacheable(under: $0) && useCache
                ? GatewayAnswerCache.key(systemID: caller.system.id, version: configuration.version, call: call) : nil
        }
        if let cacheKey, let kept = cache.answer(for: cacheKey, now: EpochClock.now()) {
            let parsed = try? JSONValue.parse(Data(buffer: kept))
            let event = recorded(route.targets.first?.model, cacheHit: true)
            // Checked again as it goes out: the checks may have changed since it was kept.
            let checked = Self.checkedAnswer(parsed, safety)
            event.write(
                usage: TokenUsage(promptTokens: 0, completionTokens: 0), completionCharacters: 0, finishReason: parsed.flatMap(Self.finishReason),
                failed: checked.blocking != nil, outputFlags: checked.findings.map(\.name))
            if let blocking = checked.blocking { throw Self.withheld(by: blocking) }
            if parsed != nil { leaveForJudge(checked.text, of: event, caller: caller) }
            var headers: HTTPFields = [.contentType: call.stream ? "text/event-stream" : "application/json"]
            headers[HTTPField.Name("X-Steward-Request-Id")!] = requestID
            headers[HTTPField.Name("X-Steward-Cache")!] = "hit"
            let body = call.stream ? GatewayAnswerCache.events(of: parsed ?? .null, includeUsage: call.clientWantsUsage) : kept
            return .complete(.ok, headers, body)
        }
        var failure = StewardError(.upstreamFailed, "The model '\(call.model)' has no provider configured.")
        for (index, target) in route.targets.enumerated() {
            let last = index == route.targets.count - 1
            let reservation: GatewayReservation
            do {
                reservation = try await gateway.reserve(
                    caller, model: target.model, promptTokenBound: call.promptTokenBound(for: target.model),
                    requestedCompletionTokens: call.requestedCompletionTokens,
                    choices: call.choices)
            } catch {
                // A call a budget refused is an event too (failed, free), so that monitoring counts it.
                recorded(target.model, fallback: index > 0).write(
                    usage: TokenUsage(promptTokens: 0, completionTokens: 0), completionCharacters: 0, finishReason: nil, failed: true)
                throw error
            }
            let anthropic = target.provider.kind == .anthropic
            let upstreamBody: [UInt8]
            do { upstreamBody = try Self.upstreamBody(call, to: target, reservation: reservation) } catch {
                release(reservation)
                throw error
            }
            let response: HTTPClientResponse
            do {
                response = try await client.post(
                    upstreamBody, path: anthropic ? AnthropicMessages.path : call.kind.path, to: target.provider,
                    timeout: .milliseconds(Int64(target.model.timeoutSeconds * 1000)), streaming: call.stream)
            } catch {
                release(reservation)
                if Task.isCancelled {
                    // The client went away before the provider answered: no fallback, nothing charged.
                    recorded(target.model, fallback: index > 0).write(
                        usage: TokenUsage(promptTokens: 0, completionTokens: 0), completionCharacters: 0, finishReason: nil, failed: true)
                    throw CancellationError()
                }
                failure = Self.failure(error, target)
                continue
            }
            let status = Int(response.status.code)
            if status == 401 || status == 403 {
                // The provider refused Steward's own key: the server's fault, not the client's, and the provider's
                // message may quote the key.
                _ = try? await response.body.collect(upTo: Self.largestAnswer)
                release(reservation)
                failure = StewardError(
                    .upstreamFailed, "The provider '\(target.provider.name)' refused the server's key (\(status)): its key is missing or wrong.")
                if last { break }
                continue
            }
            if (status == 429 || status >= 500) && !last {
                failure = StewardError(.upstreamFailed, "The provider '\(target.provider.name)' answered \(status).")
                _ = try? await response.body.collect(upTo: Self.largestAnswer)
                release(reservation)
                continue
            }
            let event = recorded(target.model, fallback: index > 0, reservation: reservation)
            // Kept only when the model asked for answered, with the limits the client asked for.
            let limited = reservation.maximumCompletionTokens != nil && reservation.maximumCompletionTokens != call.requestedCompletionTokens
            let keeping = status == 200 && index == 0 && !limited ? cacheKey.flatMap { key in settings.map { (key: key, settings: $0) } } : nil
            if call.stream && status == 200 {
                return .streaming(
                    stream(
                        response, translator: anthropic ? AnthropicStreamTranslator(created: Int(time / 1000)) : nil, event: event, keeping: keeping,
                        safety: safety, caller: caller))
            }
            var answer: ByteBuffer
            do { answer = try await response.body.collect(upTo: Self.largestAnswer) } catch {
                event.write(usage: nil, completionCharacters: 0, finishReason: nil, failed: true)
                throw StewardError(.upstreamFailed, "The provider '\(target.provider.name)' broke off its answer: \(error).")
            }
            if anthropic {
                do { answer = try Self.openAIAnswer(fromAnthropic: answer, status: status, created: Int(time / 1000)) } catch {
                    event.write(usage: nil, completionCharacters: 0, finishReason: nil, failed: true)
                    throw StewardError(.upstreamFailed, "The provider '\(target.provider.name)' answered 200 with something that is not a message.")
                }
            }
            let parsed = try? JSONValue.parse(Data(buffer: answer))
            let checked = status == 200 ? Self.checkedAnswer(parsed, safety) : (text: "", findings: [], blocking: nil)
            // A provider bills nothing for a refused request.
            let usage = status >= 400 ? TokenUsage(promptTokens: 0, completionTokens: 0) : parsed.flatMap(ReportedUsage.read)
            event.write(
                usage: usage, completionCharacters: 0, finishReason: parsed.flatMap(Self.finishReason),
                failed: status >= 400 || checked.blocking != nil, outputFlags: checked.findings.map(\.name))
            if let blocking = checked.blocking { throw Self.withheld(by: blocking) }
            if status == 200, parsed != nil { leaveForJudge(checked.text, of: event, caller: caller) }
            var headers: HTTPFields = [
                .contentType: anthropic ? "application/json" : response.headers.first(name: "Content-Type") ?? "application/json"
            ]
            headers[HTTPField.Name("X-Steward-Request-Id")!] = requestID
            if let keeping {
                cache.keep(answer, for: keeping.key, settings: keeping.settings, now: EpochClock.now())
                headers[HTTPField.Name("X-Steward-Cache")!] = "miss"
            }
            return .complete(.init(code: status), headers, answer)
        }
        recorded(route.targets.first?.model, fallback: route.targets.count > 1).write(
            usage: TokenUsage(promptTokens: 0, completionTokens: 0), completionCharacters: 0, finishReason: nil, failed: true)
        throw failure
    }

    /// Passes a provider's event stream on as it comes, event by event, and records the call when it ends (also
    /// when the client goes away: leaving the stream cancels the provider's call, and what was sent is charged).
    /// The answer's safety checks run on each piece before it is sent (`StreamedAnswerCheck`): when a blocking
    /// check finds something, that piece is not sent and the stream ends with OpenAI's error event
    /// (`content_blocked`, naming the check), which the `openai` SDKs raise as an error; what was sent before stays
    /// sent. A provider speaking Anthropic's Messages API has its events translated first.
    func stream(
        _ response: HTTPClientResponse, translator: AnthropicStreamTranslator?, event: Recorded,
        keeping: (key: String, settings: GatewayConfiguration.Cache)?, safety: SafetyPolicy, caller: GatewayService.Caller
    ) -> Response {
        let contentType = translator == nil ? response.headers.first(name: "Content-Type") ?? "text/event-stream" : "text/event-stream"
        var headers: HTTPFields = [.contentType: contentType, .cacheControl: "no-cache"]
        headers[HTTPField.Name("X-Steward-Request-Id")!] = event.requestID
        if keeping != nil { headers[HTTPField.Name("X-Steward-Cache")!] = "miss" }
        let cache = cache
        let calls = self
        return Response(
            status: .ok, headers: headers,
            body: ResponseBody { writer in
                var reader = ChatStreamReader(clientWantsUsage: event.call.clientWantsUsage)
                var translator = translator
                var check = StreamedAnswerCheck(safety)
                do {
                    for try await chunk in response.body {
                        guard let piece = translator == nil ? chunk : try translator?.translate(chunk) else { continue }
                        let events = try reader.events(in: piece)
                        if let blocking = check.check(reader.takeUncheckedText()) {
                            let refusal = OpenAIError.body(
                                message: "The rest of the answer was withheld by the safety check '\(blocking.name)'.", type: "invalid_request_error",
                                code: "content_blocked")
                            try await writer.write(ByteBuffer(string: "data: \(refusal)\n\n"))
                            try await writer.finish(nil)
                            event.write(
                                usage: reader.usage, completionCharacters: reader.completionCharacters, finishReason: reader.finishReason,
                                failed: true,
                                outputFlags: check.findings.map(\.name))
                            return
                        }
                        if let events { try await writer.write(events) }
                    }
                    if let rest = reader.remainder { try await writer.write(rest) }
                    try await writer.finish(nil)
                } catch {
                    event.write(
                        usage: reader.usage, completionCharacters: reader.completionCharacters, finishReason: reader.finishReason, failed: true,
                        outputFlags: check.findings.map(\.name))
                    throw error
                }
                let findings = check.findings
                if let keeping, findings.isEmpty, let completion = reader.completion {
                    cache.keep(ByteBuffer(string: completion.description), for: keeping.key, settings: keeping.settings, now: EpochClock.now())
                }
                event.write(
                    usage: reader.usage, completionCharacters: reader.completionCharacters, finishReason: reader.finishReason, failed: false,
                    outputFlags: findings.map(\.name))
                calls.leaveForJudge(reader.completionText, of: event, caller: caller)
            })
    }

    /// Leaves an answered call of a prompt experiment to the experiment's judge, when it has one and the call is
    /// in its sample: graded after the answer has gone, in the traffic's follow-ups (shed, and logged, when they
    /// cannot keep up).
    func leaveForJudge(_ answer: String, of event: Recorded, caller: GatewayService.Caller) {
        guard let experiment = event.prompt?.experiment, let judge = experiment.judge,
            judge.grades(requestID: event.requestID, salt: experiment.salt)
        else { return }
        let grading = GatewayJudge(calls: self, events: events)
        let request = event.call.promptText
        let requestID = event.requestID
        let queued = traffic.followUp {
            await grading.grade(answer: answer, request: request, requestID: requestID, experiment: experiment, caller: caller)
        }
        if !queued { logger.warning("an answer went ungraded: the judge's queue is full", metadata: ["experiment": "\(experiment.id)"]) }
    }

    /// The body a target's provider is sent: the client's own for OpenAI's wire format (with the provider's model
    /// name and any limit a budget sets), translated for Anthropic's Messages API (which requires a limit: the
    /// budget's, the client's, or the model's `max_output_tokens`).
    static func upstreamBody(
        _ call: GatewayCall, to target: (model: GatewayConfiguration.Model, provider: GatewayConfiguration.Provider), reservation: GatewayReservation
    ) throws(StewardError) -> [UInt8] {
        switch target.provider.kind {
        case .openai:
            return call.upstreamBody(
                model: target.model.upstreamModel, maximumCompletionTokens: reservation.maximumCompletionTokens,
                limitField: target.model.completionLimitField)
        case .anthropic:
            let limit = reservation.maximumCompletionTokens ?? call.requestedCompletionTokens ?? target.model.maximumOutputTokens
            return try AnthropicMessages.request(call, upstreamModel: target.model.upstreamModel, maximumTokens: limit)
        }
    }

    /// A Messages API answer as OpenAI's: a message as a chat completion, an error as OpenAI's error body.
    static func openAIAnswer(fromAnthropic answer: ByteBuffer, status: Int, created: Int) throws -> ByteBuffer {
        guard status == 200 else { return AnthropicMessages.openAIError(from: answer, status: status) }
        guard let completion = AnthropicMessages.chatCompletion(from: try JSONValue.parse(Data(buffer: answer)), created: created) else {
            throw StewardError(.upstreamFailed, "not a message")
        }
        return ByteBuffer(string: completion.description)
    }

    /// Gives back what a call that produced nothing held of its budgets.
    func release(_ reservation: GatewayReservation) {
        gateway.settle(reservation, cost: 0)
    }

    static func failure(_ error: LLMProviderClient.Failure, _ target: (model: GatewayConfiguration.Model, provider: GatewayConfiguration.Provider))
        -> StewardError
    {
        switch error {
        case .refused(let refusal): refusal
        case .timedOut:
            StewardError(.upstreamTimedOut, "The provider '\(target.provider.name)' did not answer within \(target.model.timeoutSeconds) s.")
        case .unreachable(let reason): StewardError(.upstreamFailed, "The provider '\(target.provider.name)' could not be reached: \(reason).")
        }
    }

    /// A whole answer's text (`answerText`), for the judge, and what the safety checks of answers find in it;
    /// `blocking` is the first finding that withholds it. One reading for an answer from the provider and one from
    /// the cache.
    static func checkedAnswer(_ parsed: JSONValue?, _ safety: SafetyPolicy) -> (
        text: String, findings: [SafetyPolicy.Check], blocking: SafetyPolicy.Check?
    ) {
        let text = parsed.map(answerText) ?? ""
        let findings = safety.findings(in: text, direction: .output)
        return (text, findings, findings.first { $0.action == .block })
    }

    /// The refusal of an answer a blocking check withheld.
    static func withheld(by check: SafetyPolicy.Check) -> StewardError {
        StewardError(.contentBlocked, "The answer was withheld by the safety check '\(check.name)'.")
    }

    /// The text of an answer's choices (chat), with the arguments of the tools it calls, for the safety checks and
    /// the judge.
    static func answerText(_ answer: JSONValue) -> String {
        guard case .object(let members) = answer, case .array(let choices)? = members["choices"] else { return "" }
        var text = ""
        for choice in choices {
            guard case .object(let fields) = choice, case .object(let message)? = fields["message"] else { continue }
            if let content = message["content"] { GatewayCall.collectText(content, into: &text) }
            var calls: [JSONValue] = []
            if case .array(let listed)? = message["tool_calls"] { calls = listed }
            if let call = message["function_call"] { calls.append(.object(["function": call])) }
            for call in calls {
                if let arguments = GatewayCall.toolArguments(call) { GatewayCall.collectText(.string(arguments), into: &text) }
            }
        }
        return text
    }

    static func finishReason(_ answer: JSONValue) -> String? {
        guard case .object(let members) = answer, case .array(let choices)? = members["choices"], case .object(let first)? = choices.first,
            case .string(let reason)? = first["finish_reason"]
        else { return nil }
        return reason
    }

    /// What a call's inference event needs, written once the call has ended.
    struct Recorded: Sendable {
        let systemID: String
        let requestID: String
        let time: Int64
        let started: ContinuousClock.Instant
        let call: GatewayCall
        /// A registered prompt a call named: the version rendered, and the experiment that chose it (the event's
        /// deployment, with the version as its arm) and the unit it split by.
        struct Prompt: Sendable {
            let name: String
            let version: String
            /// The experiment that chose the version.
            let experiment: PromptExperiment?
            let unit: String?

            var experimentID: String? { experiment?.id }
        }

        /// The registered prompt the call named, and the version rendered.
        let prompt: Prompt?
        let model: GatewayConfiguration.Model?
        let keyID: String
        let fallback: Bool
        let recorder: ServedEventRecorder
        let gateway: GatewayService
        /// What the call holds of its budgets, settled with its cost here.
        let reservation: GatewayReservation?
        /// Answered from the cache: free, and marked so.
        let cacheHit: Bool
        /// The safety checks the prompt set off.
        let flags: [String]

        /// Records the event: the reported usage, or when there is none (a stream cut short, a provider that
        /// reports nothing) tokens estimated from the characters sent, marked `usage_estimated`.
        func write(usage reported: TokenUsage?, completionCharacters: Int, finishReason: String?, failed: Bool, outputFlags: [String] = []) {
            let elapsed = ContinuousClock.now - started
            let usage =
                reported
                ?? TokenUsage(
                    promptTokens: GatewayCall.estimatedTokens(characters: call.promptCharacters),
                    completionTokens: GatewayCall.estimatedTokens(characters: completionCharacters))
            var features: [String: FeatureValue] = [
                "prompt_characters": .number(Double(call.promptCharacters)), "stream": .flag(call.stream), "gateway_key": .text(keyID),
                "fallback": .flag(fallback), "usage_estimated": .flag(reported == nil), "cache_hit": .flag(cacheHit),
            ]
            if case .chat = call.kind { features["messages"] = .number(Double(call.messageCount)) }
            var tallies: [GatewayBudget.Scope] = []
            if let model { tallies.append(.model(system: systemID, name: model.name)) }
            if let prompt {
                features["prompt"] = .text(prompt.name)
                features["prompt_version"] = .text(prompt.version)
                tallies.append(.prompt(system: systemID, name: prompt.name, version: prompt.version))
            }
            let exact = model.map { usage.picodollars(at: $0) }
            let cost = exact.map(Picodollars.approximateDollars)
            if let reservation { gateway.settle(reservation, cost: exact ?? 0, tallies: tallies) }
            recorder.record(
                systemID: systemID,
                event: InferenceEvent(
                    requestID: requestID, time: time, model: model?.name ?? call.model, features: features,
                    prediction: finishReason.map(FeatureValue.text),
                    latencyMilliseconds: Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15,
                    tokensIn: usage.promptTokens, tokensOut: usage.completionTokens, costUSD: cost, failed: failed,
                    safetyFlags: flags.isEmpty && outputFlags.isEmpty ? [] : Array(Set(flags + outputFlags)).sorted(),
                    deploymentID: prompt?.experimentID,
                    arm: prompt?.experimentID == nil ? nil : prompt?.version, unit: prompt?.experimentID == nil ? nil : prompt?.unit))
        }
    }
}
