import Foundation

/// Metrics of generated text against references, pair by pair: exact match, containment, corpus BLEU-4 (as
/// NLTK's `corpus_bleu`, no smoothing), ROUGE-1/2/L F-measure averaged over pairs (as Google's `rouge-score`, no
/// stemming). JSON validity and JSON-Schema compliance of outputs are `JSONOutputs`'; matching references as
/// regular expressions is the evaluation's (`RegexMatchMetric`), since user patterns need a budget.
public struct TextMetrics: Sendable {
    public let references: [String]
    public let candidates: [String]

    public init(references: [String], candidates: [String]) throws(StatisticsError) {
        guard !references.isEmpty else { throw .empty }
        guard references.count == candidates.count else {
            throw .lengthMismatch("references", references.count, "outputs", candidates.count)
        }
        self.references = references
        self.candidates = candidates
    }

    var count: Double { Double(references.count) }

    public var exactMatch: Double { Double(zip(references, candidates).filter { $0 == $1 }.count) / count }

    /// Share of outputs that contain their reference.
    public var contains: Double { Double(zip(references, candidates).filter { $1.contains($0) }.count) / count }

    /// Corpus BLEU-4 over whitespace tokens: clipped n-gram precisions pooled over the corpus, their geometric
    /// mean, and the brevity penalty on total lengths. Any precision of zero makes the score zero.
    public var bleu: Double {
        var matches = [Int](repeating: 0, count: 4)
        var totals = [Int](repeating: 0, count: 4)
        var candidateLength = 0
        var referenceLength = 0
        for (reference, candidate) in zip(references, candidates) {
            let referenceTokens = reference.split(whereSeparator: \.isWhitespace).map(String.init)
            let candidateTokens = candidate.split(whereSeparator: \.isWhitespace).map(String.init)
            candidateLength += candidateTokens.count
            referenceLength += referenceTokens.count
            for order in 1...4 {
                let referenceCounts = Self.ngrams(referenceTokens, order)
                var total = 0
                for (gram, count) in Self.ngrams(candidateTokens, order) {
                    matches[order - 1] += min(count, referenceCounts[gram] ?? 0)
                    total += count
                }
                // As NLTK: an output too short for this order still counts one n-gram in the denominator.
                totals[order - 1] += max(1, total)
            }
        }
        guard candidateLength > 0, !matches.contains(0) else { return 0 }
        let logPrecision = zip(matches, totals).reduce(0.0) { $0 + log(Double($1.0) / Double($1.1)) } / 4
        let brevity = candidateLength > referenceLength ? 1 : exp(1 - Double(referenceLength) / Double(candidateLength))
        return brevity * exp(logPrecision)
    }

    /// Mean ROUGE-N F-measure.
    public func rouge(_ order: Int) -> Double {
        mean { reference, candidate in
            let referenceCounts = Self.ngrams(reference, order)
            let candidateCounts = Self.ngrams(candidate, order)
            let overlap = candidateCounts.reduce(0) { $0 + min($1.value, referenceCounts[$1.key] ?? 0) }
            return Self.fMeasure(overlap, candidateCounts.values.reduce(0, +), referenceCounts.values.reduce(0, +))
        }
    }

    /// Mean ROUGE-L F-measure, from the longest common subsequence of tokens.
    public var rougeL: Double {
        mean { reference, candidate in
            Self.fMeasure(Self.longestCommonSubsequence(reference, candidate), candidate.count, reference.count)
        }
    }

    func mean(_ score: ([String], [String]) -> Double) -> Double {
        CompensatedSum.of(zip(references, candidates).map { score(Self.rougeTokens($0), Self.rougeTokens($1)) }) / count
    }

    /// Tokens as `rouge-score` makes them: lowercased, runs of anything but ASCII letters and digits as separators.
    static func rougeTokens(_ text: String) -> [String] {
        text.lowercased().split { character in !(character.isASCII && (character.isLetter || character.isNumber)) }.map(String.init)
    }

    static func ngrams(_ tokens: [String], _ order: Int) -> [[String]: Int] {
        guard tokens.count >= order else { return [:] }
        var counts: [[String]: Int] = [:]
        for start in 0...(tokens.count - order) { counts[Array(tokens[start..<start + order]), default: 0] += 1 }
        return counts
    }

    static func fMeasure(_ overlap: Int, _ candidateTotal: Int, _ referenceTotal: Int) -> Double {
        guard overlap > 0, candidateTotal > 0, referenceTotal > 0 else { return 0 }
        let precision = Double(overlap) / Double(candidateTotal)
        let recall = Double(overlap) / Double(referenceTotal)
        return 2 * precision * recall / (precision + recall)
    }

    static func longestCommonSubsequence(_ first: [String], _ second: [String]) -> Int {
        guard !first.isEmpty, !second.isEmpty else { return 0 }
        var previous = [Int](repeating: 0, count: second.count + 1)
        for token in first {
            var current = [Int](repeating: 0, count: second.count + 1)
            for (index, other) in second.enumerated() {
                current[index + 1] = token == other ? previous[index] + 1 : max(previous[index + 1], current[index])
            }
            previous = current
        }
        return previous[second.count]
    }
}
