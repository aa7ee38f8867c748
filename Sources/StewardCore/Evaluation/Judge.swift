import Foundation

/// A language model that grades one output against its reference by a rubric, with a score from 0 to 1.
public protocol Judge: Sendable {
    func grade(reference: String, output: String, rubric: String) async throws -> Double
}

extension EvaluationService {
    /// The instructions every judge receives with the rubric, so that its answer is a number Steward can read.
    public static let judgeInstructions = "Grade the output against the reference by this rubric. Reply with only a number from 0 to 1."

    /// Reads a judge's reply: the first number in it, which must lie between 0 and 1.
    public static func judgeScore(_ reply: String) throws(StewardError) -> Double {
        let pattern = try? NSRegularExpression(pattern: "-?[0-9]+(\\.[0-9]+)?")
        guard let match = pattern?.firstMatch(in: reply, range: NSRange(reply.startIndex..., in: reply)),
            let range = Range(match.range, in: reply), let value = Double(reply[range]), (0...1).contains(value)
        else {
            throw .invalidParameter("The judge replied '\(reply.prefix(200))', not a score from 0 to 1.")
        }
        return value
    }

    /// Grades every row and reports the mean, lowest and share of rows at or above 0.5 (`judge_*` metrics).
    public static func judged(
        _ judge: any Judge, references: [String], outputs: [String], rubric: String
    ) async throws -> [String: Double] {
        guard !references.isEmpty, references.count == outputs.count else {
            throw StewardError.invalidParameter("A judged evaluation needs as many outputs as references, and at least one.")
        }
        guard !rubric.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw StewardError.invalidParameter("The judge needs a rubric.")
        }
        var scores: [Double] = []
        for (reference, output) in zip(references, outputs) {
            scores.append(try await judge.grade(reference: reference, output: output, rubric: rubric))
        }
        return [
            "judge_score": scores.reduce(0, +) / Double(scores.count), "judge_score_min": scores.min() ?? 0,
            "judge_pass_rate": Double(scores.filter { $0 >= 0.5 }.count) / Double(scores.count),
        ]
    }
}
