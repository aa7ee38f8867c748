/// The facts a promotion decision rests on, gathered for one system and model version.
public struct PromotionFacts: Sendable {
    public var system: AISystem
    public var model: String
    public var version: Int64
    public var cardStatesIntendedUse: Bool
    public var evidence: [Evidence]
    /// Approving decisions on this version that are still valid, by distinct approvers other than its authors.
    public var approvals: [ApprovalDecision]
    /// The version's latest evaluation, if it has one.
    public var evaluation: Evaluation?
    /// What Steward observes of the system's monitoring.
    public var monitoring: MonitoringFacts
    /// The protected alias or stage the decision is for (approvals count for one), when there is one.
    public var target: PromotionTarget?
    /// Whether the version was registered by a user: without one, no approval of it can ever count.
    public var hasAuthor: Bool
    /// The staged rollouts the version won, and whether it would be the system's first release.
    public var rollout: RolloutFacts

    public init(
        system: AISystem, model: String, version: Int64, cardStatesIntendedUse: Bool, evidence: [Evidence], approvals: [ApprovalDecision],
        evaluation: Evaluation? = nil, monitoring: MonitoringFacts = MonitoringFacts(), hasAuthor: Bool = true,
        rollout: RolloutFacts = RolloutFacts()
    ) {
        self.rollout = rollout
        self.hasAuthor = hasAuthor
        self.system = system
        self.model = model
        self.version = version
        self.cardStatesIntendedUse = cardStatesIntendedUse
        self.evidence = evidence
        self.approvals = approvals
        self.evaluation = evaluation
        self.monitoring = monitoring
    }
}

/// Whether one control holds, what was found, and which kind of fact it was read from.
public struct ControlEvaluation: Sendable, Equatable, Codable {
    /// Where a control's verdict comes from: what Steward observed itself (the card, an evaluation, monitoring,
    /// approvals given through it) or an evidence record someone posted, for what it cannot observe.
    public enum Basis: String, Sendable, Codable {
        case modelCard = "model_card"
        case evaluation
        case monitoring
        case approvals
        case evidence
        case deployment
    }

    public let name: String
    public let satisfied: Bool
    public let detail: String
    public let basis: Basis
    /// For a control not met: the call that meets it and who may make it.
    public let remedy: String?
    /// For a control not met: the `steward` command line that meets it, with this system's and version's names.
    public let command: String?

    public init(name: String, satisfied: Bool, detail: String, basis: Basis, remedy: String? = nil, command: String? = nil) {
        self.command = satisfied ? nil : command
        self.name = name
        self.satisfied = satisfied
        self.detail = detail
        self.basis = basis
        self.remedy = satisfied ? nil : remedy
    }

    /// Checks every control the system's tier requires against the facts.
    public static func evaluate(_ policy: GovernancePolicy, _ facts: PromotionFacts) -> [ControlEvaluation] {
        policy.controls(for: facts.system.riskTier).map { control in
            switch control.check {
            case .modelCard:
                return ControlEvaluation(
                    name: control.name, satisfied: facts.cardStatesIntendedUse,
                    detail: facts.cardStatesIntendedUse ? "the model card states the intended use" : "the model card does not state an intended use",
                    basis: control.check.basis, remedy: remedy(control, facts), command: command(control, facts))
            case .evidence(let type, let scope):
                let found = facts.evidence.last { evidence in
                    evidence.type == type && (scope == .system || (evidence.model == facts.model && evidence.version == facts.version))
                }
                let subject = scope == .system ? "the system" : "version \(facts.version)"
                return ControlEvaluation(
                    name: control.name, satisfied: found != nil,
                    detail: found.map { "\(type) evidence \($0.id) by \($0.author): \($0.reference)" } ?? "no \(type) evidence for \(subject)",
                    basis: control.check.basis, remedy: remedy(control, facts), command: command(control, facts))
            case .gate(let scope):
                guard let evaluation = facts.evaluation else {
                    return ControlEvaluation(
                        name: control.name, satisfied: false, detail: "version \(facts.version) has no evaluation", basis: control.check.basis,
                        remedy: remedy(control, facts), command: command(control, facts))
                }
                let satisfied = scope == .all ? evaluation.gatePassed : evaluation.fairnessGatePassed
                let verdict: String
                if let gate = evaluation.gate {
                    let hasFairness = gate.conditions.contains { $0.condition.hasPrefix("fairness.") }
                    verdict = scope == .fairness && !hasFairness ? "the gate has no fairness condition" : (satisfied ? "passed" : "failed")
                } else {
                    verdict = "the system had no gate when it ran"
                }
                return ControlEvaluation(
                    name: control.name, satisfied: satisfied, detail: "evaluation \(evaluation.id) (run \(evaluation.runID)): \(verdict)",
                    basis: control.check.basis, remedy: remedy(control, facts), command: command(control, facts))
            case .monitoring:
                return ControlEvaluation(
                    name: control.name, satisfied: facts.monitoring.isMonitored, detail: facts.monitoring.described, basis: control.check.basis,
                    remedy: remedy(control, facts), command: command(control, facts))
            case .retraining:
                return ControlEvaluation(
                    name: control.name, satisfied: facts.monitoring.retrainingWebhook,
                    detail: facts.monitoring.retrainingWebhook
                        ? "observed: the alert rules name a retraining webhook" : "observed: the alert rules name no retraining webhook",
                    basis: control.check.basis, remedy: remedy(control, facts), command: command(control, facts))
            case .rollout(let minimumUnits):
                return ControlEvaluation(
                    name: control.name, satisfied: facts.rollout.satisfied(minimumUnits: minimumUnits),
                    detail: facts.rollout.described(minimumUnits: minimumUnits), basis: control.check.basis,
                    remedy: remedy(control, facts), command: command(control, facts))
            case .approvals(let roles, let count):
                let approvers = Set(facts.approvals.filter { roles.contains($0.role) }.map(\.approver))
                let roleNames = Role.allCases.filter(roles.contains).map(\.rawValue).joined(separator: "/")
                return ControlEvaluation(
                    name: control.name, satisfied: approvers.count >= count,
                    detail: "\(approvers.count) of \(count) \(roleNames) approval\(count == 1 ? "" : "s")"
                        + (approvers.isEmpty ? "" : " (\(approvers.sorted().joined(separator: ", ")))")
                        + (facts.hasAuthor ? "" : "; version \(facts.version) was registered without a user, so no approval of it can ever count"),
                    basis: control.check.basis, remedy: remedy(control, facts), command: command(control, facts))
            }
        }
    }

    /// The `steward` command that meets `control` for the version in `facts`; it works on the data folder, or with
    /// `--server URL` on a running server.
    static func command(_ control: GovernancePolicy.Control, _ facts: PromotionFacts) -> String? {
        let (system, model, version) = (facts.system.id, facts.model, facts.version)
        switch control.check {
        case .modelCard:
            return #"steward card edit \#(model) \#(version) --intended-use "…""#
        case .evidence(let type, let scope):
            let subject = scope == .version ? " --model \(model) --model-version \(version)" : ""
            return #"steward evidence add \#(system) --type \#(type) --reference "<where the proof is>""# + subject
        case .gate:
            return "steward evaluate --server <url> --system \(system) --model \(model) --model-version \(version) --task … --data test.csv --label …"
        case .monitoring:
            return "steward monitor reference \(system) --model \(model) --model-version \(version) --artifact-path <training data file>"
                + " && steward monitor rules \(system) --file rules.yaml"
        case .retraining:
            // Webhooks go to hosts the server allows, so the rules that name one are set through it.
            return "steward monitor rules \(system) --file rules.yaml --server <url>   # rules.yaml names a retraining_webhook"
        case .rollout(let minimumUnits):
            return "steward deploy create \(system) --server <url> --mode canary --arm <champion model>:<version>=<its server URL>@95"
                + " --arm \(model):\(version)=<its server URL>@5"
                + (minimumUnits > RolloutAnalysis.default.minimumUnits ? " --min-units \(minimumUnits)" : "")
                + "   # the analysis steps it up and graduates it when it holds up"
        case .approvals:
            guard facts.hasAuthor else { return nil }
            let alias = facts.target.map { " --alias \($0.name)" } ?? ""
            return "steward approvals request \(system) --model \(model) --model-version \(version)\(alias)"
                + "   # then a reviewer: steward approvals approve <approval id>"
        }
    }

    /// How to meet `control` for the version in `facts`: the call, with this system's and version's names filled in,
    /// and the roles that may make it.
    static func remedy(_ control: GovernancePolicy.Control, _ facts: PromotionFacts) -> String {
        let system = facts.system.id
        let version = #""model": "\#(facts.model)", "version": "\#(facts.version)""#
        let writers = "any role but viewer"
        switch control.check {
        case .modelCard:
            return #"state its intended use: PATCH /api/v1/models/\#(facts.model)/versions/\#(facts.version)/card {"intended_use": "…"}"#
                + " (\(writers))"
        case .evidence(let type, let scope):
            let subject = scope == .version ? ", " + version : ""
            return #"record it: POST /api/v1/systems/\#(system)/evidence {"type": "\#(type)", "reference": "<where the proof is>"\#(subject)}"#
                + " (\(writers))"
        case .gate(let scope):
            let fairness = scope == .fairness ? "; the gate needs a fairness.* condition, and the evaluation --sensitive columns" : ""
            return "evaluate the version against the system's gate (PUT /api/v1/systems/\(system)/gate sets one): "
                + "POST /api/v1/evaluations?system=\(system)&model=\(facts.model)&version=\(facts.version)&task=…&label=… with the test set, "
                + "or steward evaluate … --server <url> --system \(system) --model \(facts.model) --model-version \(facts.version)"
                + "\(fairness) (\(writers))"
        case .monitoring:
            return "give the system a reference profile, PUT /api/v1/systems/\(system)/reference (\(writers)), and alert rules, "
                + "PUT /api/v1/systems/\(system)/alerts/rules (reviewer, compliance or admin)"
        case .retraining:
            return "name a retraining_webhook in the alert rules: PUT /api/v1/systems/\(system)/alerts/rules (reviewer, compliance or admin)"
        case .rollout(let minimumUnits):
            return #"run it as the challenger of a canary: POST /api/v1/systems/\#(system)/deployments {"mode": "canary", "arms": "#
                + #"[<the champion's arm>, {\#(version), "endpoint": "<its model server>", "weight": 5}]}; the analysis steps it up and "#
                + "graduates it when its guardrails hold, on at least \(minimumUnits) units a step (analysis.minimum_units) (\(writers))"
        case .approvals(let roles, _):
            guard facts.hasAuthor else {
                return "register the model again with credentials (MLFLOW_TRACKING_TOKEN set to an API token; `steward serve` wrote the first "
                    + "admin's to <data>/admin-token, and `steward users token NAME` issues more), then ask for approval of that version"
            }
            let roleNames = Role.allCases.filter(roles.contains).map(\.rawValue).joined(separator: " or ")
            let target = facts.target.map { #", "alias": "\#($0.name)""# } ?? ""
            return #"ask for it: POST /api/v1/systems/\#(system)/approvals {\#(version)\#(target)}; then a \#(roleNames) who did not author"#
                + #" the version approves: POST /api/v1/approvals/<approval id>/decisions {"decision": "approve"}"#
        }
    }
}
