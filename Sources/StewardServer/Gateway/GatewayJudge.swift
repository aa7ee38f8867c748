import Foundation
import StewardCore
import StewardJSON

/// A prompt experiment's judge grading one answer after it has gone to the client: the judge's model is asked,
/// through the gateway as the system's own call (`Caller.judge(of:)`: under the system's budgets, recorded as an
/// event and spend like any call, never answered from the cache), to grade the answer against the request by the
/// experiment's rubric; its score is joined to the answered call's event as its `judge_score`, which the
/// experiment's report averages per version and may compare versions on.
///
/// A grade that cannot be had (the judge's model failing or refusing, a reply that is not a score from 0 to 1)
/// leaves the call ungraded and is logged: grades are a sample.
struct GatewayJudge: Sendable {
    let calls: GatewayCalls
    let events: EventService

    /// Grades `answer`, the answer to `request` (its messages' text) that call `requestID` of `experiment` got.
    func grade(answer: String, request: String, requestID: String, experiment: PromptExperiment, caller: GatewayService.Caller) async {
        guard let judge = experiment.judge else { return }
        let logger = calls.logger
        do {
            let body: JSONValue = .object([
                "model": .string(judge.model), "temperature": .integer(0), "max_tokens": .integer(Int(judge.maximumTokens)),
                "messages": .array([
                    .object(["role": .string("system"), "content": .string(judge.instructions)]),
                    .object([
                        "role": .string("user"),
                        "content": .string(PromptExperiment.OnlineJudge.question(request: request, answer: answer)),
                    ]),
                ]),
            ])
            let outcome = try await calls.run(
                try GatewayCall(kind: .chat, body: Data(body.encoded)), caller: caller.judge(of: experiment),
                requestID: "\(requestID)/judge", unit: nil, useCache: false, started: .now, time: EpochClock.now())
            guard case .complete(.ok, _, let reply) = outcome else {
                logger.warning("a prompt experiment's judge did not answer", metadata: ["experiment": "\(experiment.id)"])
                return
            }
            let score = try EvaluationService.judgeScore(GatewayPromptCompletions.content(of: try JSONValue.parse(Data(buffer: reply))))
            // The graded call's event is written in the traffic's next batch: it is stored once this returns.
            await calls.traffic.recorder.flush()
            let joined = try await events.join(
                EventLabel(requestID: requestID, label: nil, feedback: nil, judgeScore: score), systemID: caller.system.id)
            if !joined {
                logger.warning("a judge score found no event to join", metadata: ["experiment": "\(experiment.id)", "request": "\(requestID)"])
            }
        } catch {
            logger.warning(
                "a prompt experiment's judge could not grade an answer", metadata: ["experiment": "\(experiment.id)", "error": "\(error)"])
        }
    }
}
