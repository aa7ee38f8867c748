import Foundation
import Testing

@testable import StewardCore

/// The governance rules that need no store: policy documents, risk classification, the audit chain, maturity
/// and the portfolio's CSV.
@Suite("Governance rules")
struct GovernanceRulesTests {
    @Test("The shipped policy parses and lists the seed's controls per tier, each tier adding to the one below")
    func defaultPolicy() throws {
        let policy = try GovernancePolicy(yaml: GovernancePolicy.defaultDocument)
        #expect(policy.protectedAliases == ["production", "champion"])
        #expect(policy.tiers[.low] == ["model_card", "monitoring_configured"])
        #expect(policy.tiers[.medium]?.count == 5 && policy.tiers[.high]?.count == 8 && policy.tiers[.critical]?.count == 11)
        for (lower, higher) in [(RiskTier.low, RiskTier.medium), (.medium, .high), (.high, .critical)] {
            #expect(Set(policy.tiers[lower] ?? []).isSubset(of: Set(policy.tiers[higher] ?? [])))
        }
        #expect(policy.controls["regulatory_review"]?.check == .approvals(roles: [.compliance], count: 1))
        #expect(policy.controls["bias_testing_gate_passed"]?.check == .gate(.fairness))
        #expect(policy.controls["evaluation_gate_passed"]?.check == .gate(.all))
        #expect(policy.controls["explainability_artifact"]?.check == .evidence(type: "explainability", scope: .version))
        #expect(policy.controls["monitoring_configured"]?.check == .monitoring, "observed, not declared")
        #expect(policy.controls["staged_rollout"]?.check == .rollout(minimumUnits: 100), "observed from deployments, not declared")
        #expect(policy.rolloutMinimumUnits == 100)
        #expect(
            try GovernancePolicy(
                yaml:
                    "protected_aliases: [production]\ncontrols: {a: {check: rollout, minimum_units: 500}}\ntiers: {low: [a], medium: [a], high: [a], critical: [a]}"
            ).rolloutMinimumUnits == 500, "the maturity level counts wins by the policy's floor")
        #expect(
            try GovernancePolicy(
                yaml: "protected_aliases: [production]\ncontrols: {a: {check: rollout}}\ntiers: {low: [a], medium: [a], high: [a], critical: [a]}"
            ).controls["a"]?.check
                == .rollout(minimumUnits: GovernancePolicy.rolloutMinimumUnits), "the floor holds when a policy leaves it out")
        #expect(!policy.evidenceTypes.contains("monitoring") && !policy.evidenceTypes.contains("staged_rollout"))
        #expect(policy.evidenceTypes.contains("explainability"))
        #expect(policy.isProtected(alias: "Production") && !policy.isProtected(alias: "candidate"))
        // Serving roles: a canary's challenger is held to the challenger list unless the policy gives a canary one.
        let gate = policy.controls(for: .medium, serving: .challenger).map(\.name)
        #expect(gate == ["evaluation_gate_passed"] && policy.controls(for: .medium, serving: .canary).map(\.name) == gate)
        #expect(policy.controls(for: .medium, serving: .shadow).isEmpty)
        let roles = try GovernancePolicy(
            yaml: GovernancePolicy.defaultDocument.replacingOccurrences(
                of: "  shadow: []\n", with: "  shadow: []\n  canary: [evaluation_gate_passed, human_review]\n"))
        #expect(roles.controls(for: .medium, serving: .canary).map(\.name) == ["evaluation_gate_passed", "human_review"])
        #expect(roles.controls(for: .medium, serving: .challenger).map(\.name) == ["evaluation_gate_passed"])
        #expect(throws: StewardError.self) {
            try GovernancePolicy(yaml: GovernancePolicy.defaultDocument.replacingOccurrences(of: "  shadow: []\n", with: "  pilot: []\n"))
        }
    }

    @Test(
        "A policy with a mistake is refused with the entry named",
        arguments: [
            ("tiers: [", "not valid YAML"),
            ("- a\n- b", "YAML mapping"),
            ("protected_aliases: []\ncontrols: {a: {check: model_card}}\ntiers: {}", "protected_aliases"),
            ("protected_aliases: [production]\ncontrols: {a: {check: model_card}}\ntiers: {low: [a], medium: [a], high: [b], critical: [a]}", "'b'"),
            (
                "protected_aliases: [production]\ncontrols: {a: {check: model_card}}\ntiers: {low: [a], medium: [a], high: [a]}",
                "'critical' is missing"
            ),
            ("protected_aliases: [production]\ncontrols: {a: {check: vibes}}\ntiers: {low: [a]}", "controls.a.check 'vibes'"),
            ("protected_aliases: [production]\ncontrols: {a: {check: approvals, roles: [boss]}}\ntiers: {low: [a]}", "Unknown role 'boss'"),
            ("protected_aliases: [production]\ncontrols: {a: {check: approvals, roles: [reviewer], count: 0}}\ntiers: {low: [a]}", "count"),
            ("protected_aliases: [production]\ncontrols: {a: {check: evidence}}\ntiers: {low: [a]}", "must name its type"),
            (
                "protected_aliases: [production]\ncontrols: {a: {check: model_card}}\ntiers: {low: [a], medium: [a], high: [a], urgent: [a]}",
                "'urgent'"
            ),
            (
                "protected_aliases: [production]\napprovals: 2\ncontrols: {a: {check: model_card}}\ntiers: {low: [a]}",
                "Unknown policy key 'approvals'"
            ),
            ("protected_aliases: [v1]\ncontrols: {a: {check: model_card}}\ntiers: {low: [a]}", "reserved"),
            (
                "protected_aliases: [production]\ncontrols: {a: {check: evidence, evidence: audit, scop: system}}\ntiers: {low: [a]}",
                "Unknown key 'scop' in controls.a; the evidence check takes: check, description, evidence, scope."
            ),
            (
                "protected_aliases: [production]\ncontrols: {a: {check: monitoring, evidence: dashboards}}\ntiers: {low: [a]}",
                "Unknown key 'evidence'"
            ),
            ("protected_aliases: [production]\ncontrols: {a: {check: rollout, minimum_units: 0}}\ntiers: {low: [a]}", "minimum_units"),
            ("protected_aliases: [production]\ncontrols: {a: {check: rollout, min_units: 50}}\ntiers: {low: [a]}", "Unknown key 'min_units'"),
        ])
    func invalidPolicies(document: String, message: String) {
        #expect {
            try GovernancePolicy(yaml: document)
        } throws: { error in
            (error as? StewardError).map { $0.code == .invalidParameterValue && $0.message.contains(message) } ?? false
        }
    }

    @Test(
        "The questionnaire suggests a tier with every reason",
        arguments: [
            (RiskQuestionnaire(), RiskTier.low),
            (RiskQuestionnaire(personalData: true), .medium),
            (RiskQuestionnaire(customerFacing: true), .medium),
            (RiskQuestionnaire(autonomousActions: true), .critical),
            (RiskQuestionnaire(customerFacing: true, autonomousActions: true), .critical),
            (RiskQuestionnaire(domain: .credit, customerFacing: true, personalData: true), .high),
            (RiskQuestionnaire(domain: .employment), .high),
            (RiskQuestionnaire(safetyCritical: true), .critical),
            (RiskQuestionnaire(domain: .medical, safetyCritical: true), .critical),
            (RiskQuestionnaire(domain: .criticalInfrastructure, autonomousActions: true), .critical),
            (RiskQuestionnaire(autonomousActions: true, safetyCritical: true), .critical),
        ])
    func classification(answers: RiskQuestionnaire, expected: RiskTier) {
        let (tier, reasons) = answers.suggestedTier()
        #expect(tier == expected)
        #expect(reasons.contains { $0.hasPrefix(expected.rawValue + ":") })
        if answers.domain == .credit {
            #expect(reasons.contains("high: credit is a high-risk domain (EU AI Act Annex III)"))
            #expect(reasons.contains("medium: processes personal data") && reasons.contains("medium: customer-facing"))
        }
    }

    @Test("Questionnaire answers left out mean no; an unknown domain is refused")
    func questionnaireDecoding() throws {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let answers = try decoder.decode(RiskQuestionnaire.self, from: Data(#"{"domain": "Credit", "personal_data": true}"#.utf8))
        #expect(answers == RiskQuestionnaire(domain: .credit, personalData: true))
        #expect(throws: StewardError.self) { try decoder.decode(RiskQuestionnaire.self, from: Data(#"{"domain": "astrology"}"#.utf8)) }
    }

    static func chain(_ count: Int) -> [AuditEvent] {
        var events: [AuditEvent] = []
        for index in 1...count {
            events.append(
                AuditEvent(
                    sealing: AuditEntry(actor: "ana", action: "evidence.add", target: "system:s", systemID: "s", details: ["n": "\(index)"]),
                    sequence: Int64(index), time: 1_700_000_000_000 + Int64(index), prevHash: events.last?.hash ?? AuditChain.genesis))
        }
        return events
    }

    static func verify(_ events: [AuditEvent], head: (Int64, String)?) -> AuditChain.Break? {
        var chain = AuditChain()
        do {
            for event in events { try chain.check(event) }
            try chain.finish(head: head.map { (sequence: $0.0, hash: $0.1) })
            return nil
        } catch {
            return error
        }
    }

    @Test("The audit chain verifies intact and names the first edited, removed or truncated event")
    func auditChain() {
        let events = Self.chain(5)
        let head = (Int64(5), events[4].hash)
        #expect(events[0].prevHash == AuditChain.genesis)
        #expect(events[1].hash == AuditChain.hash(previous: events[0].hash, canonical: events[1].canonicalForm))
        #expect(Self.verify(events, head: head) == nil)

        var edited = events
        edited[2] = AuditEvent(
            sequence: 3, time: events[2].time, actor: "mallory", action: events[2].action, outcome: events[2].outcome, target: events[2].target,
            systemID: events[2].systemID, details: events[2].details, prevHash: events[2].prevHash, hash: events[2].hash)
        #expect(Self.verify(edited, head: head)?.sequence == 3)
        #expect(Self.verify(edited, head: head)?.reason.contains("altered") == true)

        var resealed = edited
        resealed[2] = AuditEvent(
            sealing: AuditEntry(actor: "mallory", action: "evidence.add", target: "system:s", systemID: "s", details: ["n": "3"]), sequence: 3,
            time: events[2].time, prevHash: events[1].hash)
        #expect(Self.verify(resealed, head: head)?.sequence == 4, "re-sealing an edit breaks the link to the next event")

        #expect(Self.verify(events.enumerated().filter { $0.offset != 1 }.map(\.element), head: head)?.sequence == 2)
        #expect(Self.verify(Array(events.prefix(3)), head: head)?.sequence == 4)
        #expect(Self.verify([], head: nil) == nil)

        var outcome = events
        outcome[0] = AuditEvent(
            sequence: 1, time: events[0].time, actor: "ana", action: events[0].action, outcome: .refused, target: events[0].target,
            systemID: "s", details: events[0].details, prevHash: events[0].prevHash, hash: events[0].hash)
        #expect(Self.verify(outcome, head: head)?.sequence == 1, "the outcome is covered by the hash")
    }

    @Test("The canonical form covers every field but the hashes, with sorted keys")
    func canonicalForm() throws {
        let event = Self.chain(1)[0]
        let text = String(decoding: event.canonicalForm, as: UTF8.self)
        #expect(
            text
                == #"{"action":"evidence.add","actor":"ana","details":{"n":"1"},"outcome":"allowed","sequence":1,"system_id":"s","target":"system:s","time":1700000000001}"#
        )
        #expect(event.hash == SHA256Digest.hex(of: Data((AuditChain.genesis + text).utf8)))
        // SHA-256("abc") from FIPS 180-2.
        #expect(SHA256Digest.hex(of: Data("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test("Canonical JSON escapes minimally and sorts members by UTF-16 code units (RFC 8785)")
    func canonicalJSON() {
        let text = String(
            decoding: CanonicalJSON.encode(
                .object([
                    "\u{20AC}": .integer(-1), "\r": .null, "1": .string("a\"b\\c/\u{1}\u{7F}\n\u{1F600}"), "\u{1F600}": .integer(0),
                    "\u{FB33}": .object([:]),
                ])), as: UTF8.self)
        // RFC 8785 §3.2.3: "\r" < "1" < "€" (U+20AC) < "😀" (surrogates D83D…) < "דּ" (U+FB33).
        #expect(text == "{\"\\r\":null,\"1\":\"a\\\"b\\\\c/\\u0001\u{7F}\\n\u{1F600}\",\"\u{20AC}\":-1,\"\u{1F600}\":0,\"\u{FB33}\":{}}")
    }

    @Test("Maturity rises one level at a time and names what the next level needs")
    func maturity() {
        #expect(MaturityLevel(MaturityLevel.Facts()) == MaturityLevel(level: 0, missing: ["a registered model version from a tracked run"]))
        var facts = MaturityLevel.Facts(registeredVersionsFromTrackedRuns: true, gateEvaluated: true)
        #expect(MaturityLevel(facts).level == 1)
        #expect(MaturityLevel(facts).missing == ["a promotion to a protected alias", "a previous production version to roll back to"])
        facts.promotedToProtectedAlias = true
        facts.rollbackPath = true
        facts.monitored = true
        #expect(
            MaturityLevel(facts)
                == MaturityLevel(
                    level: 2,
                    missing: [
                        "a retraining trigger (a retraining_webhook in the alert rules)",
                        "an A/B test or canary that a challenger won (observed from the system's deployments)",
                    ]))
        facts.retrainingTrigger = true
        facts.stagedRollout = true
        #expect(MaturityLevel(facts) == MaturityLevel(level: 3, missing: []))
        facts.registeredVersionsFromTrackedRuns = false
        #expect(MaturityLevel(facts).level == 0, "a level counts only when every level below it holds")
    }

    @Test("Approvals count distinct approvers holding a role the control names")
    func approvalControls() throws {
        let system = AISystem(
            id: "s", name: "credit", status: .development, profile: SystemProfile(), questionnaire: RiskQuestionnaire(), riskTier: .high,
            tierRationale: "", tierSource: .override, components: [SystemComponent(name: "m", kind: .model)], createdAt: 0, updatedAt: 0,
            createdBy: "ana")
        func decision(_ name: String, _ role: Role) -> ApprovalDecision {
            ApprovalDecision(approver: name, role: role, verdict: .approve, comment: "", decidedAt: 1)
        }
        let evidence = ["staged_rollout", "explainability"].map { type in  // staged_rollout evidence counts for nothing
            Evidence(id: type, systemID: "s", type: type, reference: "r", digest: "", model: "m", version: 2, author: "ana", createdAt: 1)
        }
        let gate = try GateSpec(yaml: "conditions: ['accuracy >= 0.8', 'fairness.sex.dp_ratio >= 0.8']")
        func evaluation(_ metrics: [String: Double]) -> Evaluation {
            Evaluation(
                id: "evl-1", systemID: "s", model: "m", version: 2, task: .binary, datasetName: "test", datasetDigest: "d", rows: 10, runID: "r",
                report: MetricReport(values: metrics), gateVersion: 1, gate: gate.check(metrics, champion: nil), createdBy: "ana", createdAt: 1)
        }
        let facts = PromotionFacts(
            system: system, model: "m", version: 2, cardStatesIntendedUse: true, evidence: evidence,
            approvals: [decision("rita", .reviewer), decision("rita", .reviewer), decision("cora", .compliance)],
            evaluation: evaluation(["accuracy": 0.9, "fairness.sex.dp_ratio": 0.85]),
            monitoring: MonitoringFacts(reference: .init(version: 1, source: "train@v1"), alertConditions: 2),
            rollout: RolloutFacts(won: [.init(deployment: "dep-1", unitsPerStep: 200)]))
        let evaluations = ControlEvaluation.evaluate(.default, facts)
        #expect(evaluations.allSatisfy { $0.satisfied }, "\(evaluations.filter { !$0.satisfied })")
        #expect(evaluations.first { $0.name == "monitoring_configured" }?.basis == .monitoring)
        #expect(evaluations.first { $0.name == "monitoring_configured" }?.detail == "observed: reference profile v1 (train@v1), 2 alert rules")

        for monitoring in [MonitoringFacts(alertConditions: 2), MonitoringFacts(reference: .init(version: 1, source: "t"))] {
            var unmonitored = facts
            unmonitored.monitoring = monitoring
            #expect(
                ControlEvaluation.evaluate(.default, unmonitored).filter { !$0.satisfied }.map(\.name) == ["monitoring_configured"],
                "monitoring needs both a reference profile and alert rules")
        }

        var otherVersion = facts
        otherVersion.version = 3
        otherVersion.evaluation = nil
        otherVersion.rollout = RolloutFacts()
        #expect(
            Set(ControlEvaluation.evaluate(.default, otherVersion).filter { !$0.satisfied }.map(\.name))
                == ["evaluation_gate_passed", "staged_rollout", "bias_testing_gate_passed", "explainability_artifact"],
            "version evidence does not carry over to another version")

        // The staged rollout is observed: a won canary, or a first release with no champion to stage it against;
        // an evidence record saying so is not enough.
        var unstaged = facts
        unstaged.rollout = RolloutFacts()
        let refused = ControlEvaluation.evaluate(.default, unstaged).filter { !$0.satisfied }
        #expect(refused.map(\.name) == ["staged_rollout"] && refused.first?.basis == .deployment)
        #expect(refused.first?.detail == "observed: the version has not won a canary or A/B test of this system against its champion")
        #expect(refused.first?.command?.hasPrefix("steward deploy create s --server <url> --mode canary") == true)
        // A canary decided on a handful of units is no staged rollout: the policy's floor (100 a step) holds it back.
        unstaged.rollout = RolloutFacts(won: [.init(deployment: "dep-0", unitsPerStep: 20)])
        let hasty = ControlEvaluation.evaluate(.default, unstaged).filter { !$0.satisfied }
        #expect(hasty.map(\.name) == ["staged_rollout"])
        #expect(
            hasty.first?.detail
                == "observed: the version won deployment dep-0 on 20 units a step, fewer than the 100 the policy asks of a staged rollout")
        unstaged.rollout = RolloutFacts(won: [.init(deployment: "dep-0", unitsPerStep: 20), .init(deployment: "dep-1", unitsPerStep: 100)])
        #expect(ControlEvaluation.evaluate(.default, unstaged).allSatisfy { $0.satisfied })
        unstaged.rollout = RolloutFacts(firstRelease: true)
        #expect(ControlEvaluation.evaluate(.default, unstaged).allSatisfy { $0.satisfied })
        unstaged.rollout = RolloutFacts(formerChampion: true)
        #expect(ControlEvaluation.evaluate(.default, unstaged).allSatisfy { $0.satisfied }, "a rollback to a former champion")
        unstaged.rollout = RolloutFacts(stageable: false)
        #expect(ControlEvaluation.evaluate(.default, unstaged).allSatisfy { $0.satisfied }, "a prompt cannot be staged through a deployment")
        #expect(evaluations.first { $0.name == "staged_rollout" }?.detail == "observed: the version won the staged rollout of deployment dep-1")

        var unfair = facts
        unfair.evaluation = evaluation(["accuracy": 0.9, "fairness.sex.dp_ratio": 0.6])
        #expect(
            ControlEvaluation.evaluate(.default, unfair).filter { !$0.satisfied }.map(\.name) == [
                "evaluation_gate_passed", "bias_testing_gate_passed",
            ])
        var inaccurate = facts
        inaccurate.evaluation = evaluation(["accuracy": 0.7, "fairness.sex.dp_ratio": 0.9])
        #expect(ControlEvaluation.evaluate(.default, inaccurate).filter { !$0.satisfied }.map(\.name) == ["evaluation_gate_passed"])

        var onlyCompliance = facts
        onlyCompliance.approvals = [decision("cora", .compliance), decision("carl", .compliance)]
        #expect(ControlEvaluation.evaluate(.default, onlyCompliance).filter { !$0.satisfied }.map(\.name) == ["human_review"])

        // Each control not met says how to meet it, with this system's and version's names, and who may.
        #expect(evaluations.allSatisfy { $0.remedy == nil })
        var bare = otherVersion
        bare.cardStatesIntendedUse = false
        bare.approvals = []
        bare.monitoring = MonitoringFacts()
        bare.target = .alias("production")
        let remedies = Dictionary(uniqueKeysWithValues: ControlEvaluation.evaluate(.default, bare).compactMap { e in e.remedy.map { (e.name, $0) } })
        #expect(
            remedies["model_card"] == #"state its intended use: PATCH /api/v1/models/m/versions/3/card {"intended_use": "…"} (any role but viewer)"#)
        #expect(
            remedies["staged_rollout"]?.hasPrefix(
                #"run it as the challenger of a canary: POST /api/v1/systems/s/deployments {"mode": "canary", "arms": [<the champion's arm>, {"model": "m", "version": "3""#
            ) == true)
        #expect(
            remedies["explainability_artifact"]
                == #"record it: POST /api/v1/systems/s/evidence {"type": "explainability", "reference": "<where the proof is>", "model": "m", "version": "3"} (any role but viewer)"#
        )
        #expect(remedies["evaluation_gate_passed"]?.contains("steward evaluate … --server <url> --system s --model m --model-version 3") == true)
        #expect(remedies["bias_testing_gate_passed"]?.contains("fairness.* condition") == true)
        #expect(remedies["monitoring_configured"]?.contains("PUT /api/v1/systems/s/alerts/rules (reviewer, compliance or admin)") == true)
        #expect(
            remedies["human_review"]
                == #"ask for it: POST /api/v1/systems/s/approvals {"model": "m", "version": "3", "alias": "production"}; then a reviewer or admin who did not author the version approves: POST /api/v1/approvals/<approval id>/decisions {"decision": "approve"}"#
        )
    }

    @Test("The portfolio CSV quotes what needs quoting and defuses spreadsheet formulas")
    func portfolioCSV() {
        #expect(PortfolioTable.cell("plain") == "plain")
        #expect(PortfolioTable.cell("a,b") == "\"a,b\"")
        #expect(PortfolioTable.cell("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(PortfolioTable.cell("=HYPERLINK(\"x\")") == "\"'=HYPERLINK(\"\"x\"\")\"")
        #expect(PortfolioTable.cell("-1") == "'-1")
        #expect(PortfolioTable.csv([]) == PortfolioTable.columns.joined(separator: ",") + "\r\n")
    }

    @Test("Tokens are random, prefixed, and stored only as their SHA-256")
    func tokens() {
        let first = AccessToken.generate()
        let second = AccessToken.generate()
        #expect(first != second && first.hasPrefix("stw_") && first.count == 4 + 43)
        #expect(AccessToken.digest(first) == SHA256Digest.hex(of: Data(first.utf8)) && !AccessToken.digest(first).contains(first))
        #expect(SHA256Digest.isValid(String(repeating: "a", count: 64)) && SHA256Digest.isValid("sha256:" + String(repeating: "0", count: 64)))
        #expect(!SHA256Digest.isValid("abc") && !SHA256Digest.isValid(String(repeating: "g", count: 64)))
    }

    @Test("Governance needs an authenticated identity with the right role")
    func principals() {
        #expect(throws: StewardError(.unauthenticated, "To approve you must authenticate with an API token (Authorization: Bearer …).")) {
            try Principal.declared("ana").require([.reviewer], to: "approve")
        }
        #expect(throws: StewardError.self) { try Principal.user("vic", role: .viewer).require([.reviewer, .admin], to: "approve") }
        #expect(throws: Never.self) { try Principal.user("rita", role: .reviewer).require([.reviewer, .admin], to: "approve") }
    }
}
