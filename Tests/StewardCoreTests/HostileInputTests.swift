import Foundation
import Testing

@testable import StewardCore

/// Inputs built to exhaust the server: catastrophic regular expressions, YAML alias bombs and deep nesting,
/// numbers that overflow. Each is refused or reported as undefined quickly, and never turns into NaN.
@Suite("Hostile input")
struct HostileInputTests {
    /// `x0: &a0 [...]`, `xN: &aN [*a(N-1) × 9]`: a few hundred bytes that expand to 9^depth nodes.
    static func aliasBomb(depth: Int) -> String {
        var lines = ["x0: &a0 [\"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\"]"]
        for level in 1...depth {
            lines.append("x\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 9).joined(separator: ", ") + "]")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    @Test("YAML alias bombs are refused before anything is expanded, in every YAML body")
    func aliasBombs() throws {
        let bomb = Self.aliasBomb(depth: 9)
        #expect(bomb.utf8.count < 600)
        let started = ContinuousClock.now
        let documents = [
            "conditions:\n  - accuracy >= 0.9\n" + bomb, "window: 1h\nconditions: [\"error_rate <= 0.1\"]\n" + bomb,
            "protected_aliases: [prod]\n" + bomb,
        ]
        #expect { try GateSpec(yaml: documents[0]) } throws: { ($0 as? StewardError)?.message.contains("anchor or alias") == true }
        #expect { try AlertRules(yaml: documents[1], allowedHosts: EndpointAllowList(hosts: [])) } throws: {
            ($0 as? StewardError)?.message.contains("anchor or alias") == true
        }
        #expect { try GovernancePolicy(yaml: documents[2]) } throws: { ($0 as? StewardError)?.message.contains("anchor or alias") == true }
        // An alias used as a mapping key, which the reader would hash in full, is refused by the text scan.
        #expect { try BoundedYAML.load("a: &k [1, 2]\n? *k\n: 1\n", what: "The doc") } throws: {
            ($0 as? StewardError)?.message.contains("line 1, column 4") == true
        }
        #expect(ContinuousClock.now - started < .seconds(5))
    }

    /// Found by Fuzz/FuzzYAML: Yams force-unwraps every mapping key as a string, so a list or mapping used as a key
    /// stopped the server, from any of the three YAML bodies.
    @Test(
        "A list or mapping used as a mapping key is refused with its place, in every YAML body",
        arguments: [
            "prote: credit\nconditions:\n  - roc_auc >= 0.6\n? - wape <= champion.wape * 1.02\n", "{[a]: b}\n", "x:\n  ? {a: 1}\n  : 2\n",
            "[1, 2]: three\n", "- {? [] : 1}\n",
        ])
    func collectionKeys(_ document: String) {
        let refused: (any Error) -> Bool = { ($0 as? StewardError)?.message.contains("has a mapping key that is a list or a mapping (line") == true }
        #expect(performing: { try GateSpec(yaml: document) }, throws: refused)
        #expect(performing: { try GovernancePolicy(yaml: document) }, throws: refused)
        #expect(performing: { try AlertRules(yaml: document, allowedHosts: EndpointAllowList(hosts: [])) }, throws: refused)
    }

    @Test("Deep nesting is refused before the reader recurses; ordinary documents, '*' in conditions and '&' in text still read")
    func nesting() throws {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect { try BoundedYAML.load(deep, what: "The gate spec") } throws: { ($0 as? StewardError)?.message.contains("nests more than") == true }
        let compact = String(repeating: "- ", count: 50_000) + "x"
        #expect { try BoundedYAML.load(compact, what: "The gate spec") } throws: {
            ($0 as? StewardError)?.message.contains("nests more than") == true
        }
        let gate = try GateSpec(yaml: "name: relative\nconditions:\n  - auc >= champion.auc * 0.98\n  - \"rmse <= champion.rmse * 1.02\"\n")
        #expect(gate.conditions.count == 2)
        let value = try BoundedYAML.load("team: R&D # a comment with *stars and &amps\nnote: 'it''s *fine*'\nlist: [a, b*c]\n", what: "doc")
        let map = try #require(value as? [String: Any])
        #expect(map["team"] as? String == "R&D")
        #expect(map["note"] as? String == "it's *fine*")
        #expect(map["list"] as? [String] == ["a", "b*c"])
    }

    @Test("A reference that backtracks catastrophically makes regex_match undefined with the reason, quickly")
    func regexMetric() throws {
        let evil = "^(a+)+$"
        let subject = String(repeating: "a", count: 30) + "!"
        let columns = EvaluationTask.Columns(truth: .texts([evil, evil, evil]), prediction: .texts([subject, subject, subject]), score: nil)
        let started = ContinuousClock.now
        let report = try EvaluationTask.text.metrics(columns)
        #expect(ContinuousClock.now - started < .seconds(5))
        #expect(report.values["regex_match"] == nil)
        #expect(report.undefined["regex_match"]?.contains("row 1") == true)
        #expect(report.undefined["regex_match"]?.contains("budget") == true)
        #expect(report.values["exact_match"] == 0)

        let fine = EvaluationTask.Columns(truth: .texts(["^\\d{3}$", "cat", "("]), prediction: .texts(["123", "dog", "x"]), score: nil)
        #expect(try EvaluationTask.text.metrics(fine).undefined["regex_match"]?.contains("not a valid regular expression") == true)
        let valid = EvaluationTask.Columns(truth: .texts(["^\\d{3}$", "cat"]), prediction: .texts(["123", "dog"]), score: nil)
        #expect(try EvaluationTask.text.metrics(valid).values["regex_match"] == 0.5)
    }

    @Test("Finite numbers that overflow give undefined metrics with a reason, never NaN or infinity")
    func overflow() throws {
        let columns = EvaluationTask.Columns(truth: .numbers([1e308, -1e308]), prediction: .numbers([-1e308, 1e308]), score: nil)
        let report = try EvaluationTask.regression.metrics(columns)
        #expect(report.values.values.allSatisfy { $0.isFinite })
        #expect(report.undefined["mae"]?.contains("overflowed") == true)
        #expect(try JSONEncoder().encode(report).count > 0)
    }

    @Test("A gate threshold that overflows (champion × 1e308) fails its condition with the reason, and the result stores")
    func overflowingThreshold() throws {
        let gate = try GateSpec(yaml: "name: relative\nconditions:\n  - accuracy >= champion.accuracy * 1e308\n")
        let result = gate.check(["accuracy": 0.9], champion: ["accuracy": 10])
        #expect(result.conditions.map(\.outcome) == [.failed])
        #expect(result.conditions[0].threshold == nil)
        #expect(result.conditions[0].note == "the champion's accuracy times 1e+308 overflows")
        #expect(try JSONEncoder().encode(result).count > 0)
    }
}
