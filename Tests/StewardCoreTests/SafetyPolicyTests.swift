import StewardCore
import Testing

/// The gateway's safety checks: what each kind finds (card numbers by the Luhn check, IBANs by ISO 13616), which
/// direction it watches, and the documents that are refused.
@Suite("Safety checks")
struct SafetyPolicyTests {
    static func policy(_ kind: String, _ extra: String = "", applyTo: String = "both", action: String = "flag") throws -> SafetyPolicy {
        try SafetyPolicy(yaml: "checks:\n  - {name: c, kind: \(kind), apply_to: \(applyTo), action: \(action)\(extra)}")
    }

    static func finds(_ policy: SafetyPolicy, _ text: String) -> Bool { !policy.findings(in: text, direction: .input).isEmpty }

    @Test("Each kind finds what it names and passes what only looks like it")
    func kinds() throws {
        let cases: [(String, String, [String], [String])] = [
            ("email", "", ["write to ana.lopez+shop@example.co.uk today"], ["ana at example dot com", "user@localhost"]),
            ("phone", "", ["call +44 20 7946 0958", "ring (555) 123-4567 now"], ["order 48213", "in 2026-12-03"]),
            // 4111 1111 1111 1111 and 5500-0000-0000-0004 pass the Luhn check; changing a digit fails it.
            (
                "card", "", ["card 4111 1111 1111 1111 please", "5500-0000-0000-0004", "4111 1111 1111 1111 123", "9 4111 1111 1111 1111"],
                ["card 4111 1111 1111 1112", "ticket 1234567890123"]
            ),
            // GB82 WEST 1234 5698 7654 32 is the standard's example; a changed check digit fails.
            ("iban", "", ["pay GB82 WEST 1234 5698 7654 32 now", "DE89370400440532013000"], ["GB83 WEST 1234 5698 7654 32", "GB82 WEST"]),
            ("deny", ", pattern: '(?i)acme\\s+corp'", ["ask ACME  Corp about it"], ["acme-corp", "a cme corp"]),
            ("max_length", ", characters: 10", ["eleven char"], ["ten chars!"]),
        ]
        for (kind, extra, found, passed) in cases {
            let policy = try Self.policy(kind, extra)
            for text in found { #expect(Self.finds(policy, text), "\(kind) should find \(text)") }
            for text in passed { #expect(!Self.finds(policy, text), "\(kind) should pass \(text)") }
        }
    }

    @Test("A streamed answer is checked piece by piece: a match cut between pieces is found whole, max_length counts every piece")
    func streamedPieces() throws {
        let policy = try SafetyPolicy(
            yaml: """
                checks:
                  - {name: cards, kind: card, action: block}
                  - {name: emails, kind: email, apply_to: output, action: flag}
                  - {name: prompts, kind: email, apply_to: input, action: block}
                  - {name: long, kind: max_length, characters: 30, apply_to: output, action: flag}
                """)
        var check = StreamedAnswerCheck(policy)
        #expect(check.checks.map(\.name) == ["cards", "emails", "long"], "input checks do not watch answers")
        #expect(check.check("Write to ana@exa") == nil && check.findings.isEmpty)
        #expect(check.check("mple.com. Your card is 4111 1111 1111") == nil)
        #expect(check.findings.map(\.name) == ["emails", "long"], "the address cut in two is found; 53 characters are more than 30")
        #expect(check.check(" 1111 today")?.name == "cards", "the card number is complete with this piece")
        // A match further back than the overlap is out of sight; one inside it is not.
        var far = StreamedAnswerCheck(policy)
        _ = far.check("4111 1111 1111 1111" + String(repeating: " ", count: StreamedAnswerCheck.overlap))
        #expect(far.findings.map(\.name).contains("cards"), "found in the piece it came in")
        var split = StreamedAnswerCheck(policy)
        #expect(split.check("4111 1111 " + String(repeating: "x", count: 10)) == nil)
        #expect(split.check("1111 1111") == nil, "a card number broken by other text is no card number")
        #expect(StreamedAnswerCheck(.none).checks.isEmpty)
    }

    @Test("A check watches the direction it names")
    func directions() throws {
        let input = try Self.policy("email", applyTo: "input")
        #expect(!input.findings(in: "a@b.io", direction: .input).isEmpty && input.findings(in: "a@b.io", direction: .output).isEmpty)
        let both = try SafetyPolicy(yaml: "checks:\n  - {name: c, kind: email, action: block}")
        #expect(both.checks.first?.direction == .both && both.checks.first?.action == .block)
        #expect(!both.findings(in: "a@b.io", direction: .output).isEmpty)
    }

    @Test("Documents with unknown keys, kinds, actions or a bad pattern are refused, named")
    func refusals() {
        let cases: [(String, String)] = [
            ("checks: [{name: c, kind: email, action: flag, on: input}]", "Unknown key 'on'"),
            ("checks: [{name: c, kind: ssn, action: flag}]", "kind must be one of"),
            ("checks: [{name: c, kind: email, action: warn}]", "action is required: flag or block"),
            ("checks: [{name: c, kind: deny, action: flag, pattern: '(unclosed'}]", "a valid regular expression"),
            ("checks: [{name: c, kind: email, action: flag, pattern: x}]", "pattern is for deny checks only"),
            ("checks: [{name: c, kind: max_length, action: flag}]", "characters is required"),
            ("checks: [{name: c, kind: email, action: flag}, {name: c, kind: card, action: flag}]", "defined twice"),
            ("checks: [{name: 'a b', kind: email, action: flag}]", "name is required"),
            ("rules: []", "Unknown key 'rules'"),
        ]
        for (document, message) in cases {
            do {
                _ = try SafetyPolicy(yaml: document)
                Issue.record("accepted: \(document)")
            } catch {
                #expect(error.message.contains(message), "\(document): \(error.message)")
            }
        }
    }
}
