/// The policy as code: which controls each risk tier requires before a model version may reach a protected
/// alias or the Production stage, and how each control is checked. Written in YAML, versioned, validated
/// whole before it replaces the one in force.
public struct GovernancePolicy: Sendable, Equatable {
    /// How a control is decided, from facts the server holds.
    public enum Check: Sendable, Equatable {
        /// The version's model card states its intended use.
        case modelCard
        /// An evidence record of this type exists, for the system or for the version being promoted.
        case evidence(type: String, scope: EvidenceScope)
        /// At least `count` distinct users holding one of `roles` approved the version.
        case approvals(roles: Set<Role>, count: Int)
        /// The version's latest evaluation passed the system's gate: every condition, or its fairness ones.
        case gate(GateScope)
        /// The system is monitored: it has a reference profile and alert rules (observed, not declared).
        case monitoring
        /// The system's alert rules name a retraining webhook (observed, not declared).
        case retraining
        /// The version won a canary or A/B deployment of the system, as its analysis decided on at least
        /// `minimumUnits` units a step (observed, not declared); a system's first release, with no champion to
        /// stage it against, needs none.
        case rollout(minimumUnits: Int)

        /// What the check reads.
        public var basis: ControlEvaluation.Basis {
            switch self {
            case .modelCard: .modelCard
            case .evidence: .evidence
            case .approvals: .approvals
            case .gate: .evaluation
            case .monitoring, .retraining: .monitoring
            case .rollout: .deployment
            }
        }
    }

    public enum GateScope: String, Sendable, Equatable {
        case all
        case fairness
    }

    public enum EvidenceScope: String, Sendable, Equatable {
        case system
        case version
    }

    public struct Control: Sendable, Equatable {
        public let name: String
        public let description: String
        public let check: Check
    }

    /// A role in a deployment short of full traffic (which is promotion, and needs every control of the tier).
    public enum ServingRole: String, Sendable, CaseIterable {
        /// A canary's challenger: it answers a growing share of real requests. A policy that lists no `canary`
        /// holds it to its `challenger` list.
        case canary
        /// An A/B arm (or a prompt experiment's version): it answers real requests.
        case challenger
        /// A shadow arm: it sees copies of requests and answers none.
        case shadow
    }

    public let controls: [String: Control]
    public let tiers: [RiskTier: [String]]
    /// The controls a version needs for each serving role, of those its system's tier requires.
    public let serving: [ServingRole: [String]]
    public let protectedAliases: [String]
    /// Approvals older than this no longer count.
    public let approvalValidityDays: Int
    /// The YAML text as written, kept verbatim.
    public let document: String

    /// Controls a tier requires, in the order the policy lists them.
    public func controls(for tier: RiskTier) -> [Control] {
        (tiers[tier] ?? []).compactMap { controls[$0] }
    }

    /// The controls of `tier` that a version needs to serve in `role`.
    public func controls(for tier: RiskTier, serving role: ServingRole) -> [Control] {
        let needed = Set(serving[role] ?? (role == .canary ? serving[.challenger] : nil) ?? [])
        return controls(for: tier).filter { needed.contains($0.name) }
    }

    /// The first protected alias, in the policy's order and spelling, that one of `aliases` names in any spelling.
    public func protectedAlias(heldIn aliases: [String]) -> String? {
        protectedAliases.first { protected in aliases.contains { AliasName.key($0) == AliasName.key(protected) } }
    }

    /// Whether the alias is protected, in any spelling (`AliasName.key`).
    public func isProtected(alias: String) -> Bool {
        let key = AliasName.key(alias)
        return protectedAliases.contains { AliasName.key($0) == key }
    }

    /// The evidence types some control of the policy reads: the only ones evidence may be recorded under.
    public var evidenceTypes: Set<String> {
        Set(
            controls.values.compactMap { control in
                if case .evidence(let type, _) = control.check { type } else { nil }
            })
    }

    /// The protected alias that `alias` is a look-alike of, if any (`AliasName.imitates`).
    public func protectedAlias(imitatedBy alias: String) -> String? {
        protectedAliases.first { AliasName.imitates(alias, $0) }
    }

    /// Parses and validates a policy document; every problem is a 400 that names the offending entry.
    public init(yaml document: String) throws(StewardError) {
        let root = try BoundedYAML.load(document, what: "The policy")
        guard let map = root as? [String: Any] else { throw .invalidParameter("The policy must be a YAML mapping.") }
        let known: Set<String> = ["version", "protected_aliases", "approval_validity_days", "controls", "tiers", "serving"]
        if let unknown = map.keys.sorted().first(where: { !known.contains($0) }) {
            throw .invalidParameter("Unknown policy key '\(unknown)'; the keys are \(known.sorted().joined(separator: ", ")).")
        }
        guard let aliases = map["protected_aliases"] as? [String], !aliases.isEmpty else {
            throw .invalidParameter("protected_aliases must be a non-empty list of alias names.")
        }
        for alias in aliases { try ModelRegistryService.validateAlias(alias) }
        let validity = map["approval_validity_days"] ?? 90
        guard let days = validity as? Int, (1...3650).contains(days) else {
            throw .invalidParameter("approval_validity_days must be a whole number of days between 1 and 3650.")
        }
        guard let controlMap = map["controls"] as? [String: Any], !controlMap.isEmpty else {
            throw .invalidParameter("controls must be a mapping from control name to its check.")
        }
        var controls: [String: Control] = [:]
        for (name, value) in controlMap {
            controls[name] = try Self.control(name, value)
        }
        guard let tierMap = map["tiers"] as? [String: Any] else { throw .invalidParameter("tiers must map each risk tier to its controls.") }
        var tiers: [RiskTier: [String]] = [:]
        for (name, value) in tierMap {
            let tier = try RiskTier(parsing: name)
            guard let names = value as? [String] else { throw .invalidParameter("tiers.\(name) must be a list of control names.") }
            if let undefined = names.first(where: { controls[$0] == nil }) {
                throw .invalidParameter("tiers.\(name) requires '\(undefined)', which controls does not define.")
            }
            tiers[tier] = names
        }
        if let missing = RiskTier.allCases.first(where: { tiers[$0] == nil }) {
            throw .invalidParameter("tiers must list the controls of every tier; '\(missing.rawValue)' is missing.")
        }
        var serving: [ServingRole: [String]] = [
            .challenger: controls["evaluation_gate_passed"] == nil ? [] : ["evaluation_gate_passed"], .shadow: [],
        ]
        if let value = map["serving"] {
            guard let roles = value as? [String: Any] else {
                throw .invalidParameter("serving must map a role (canary, challenger, shadow) to the controls it needs.")
            }
            for (name, names) in roles {
                guard let role = ServingRole(rawValue: name) else {
                    throw .invalidParameter(
                        "Unknown serving role '\(name)'; the roles are canary, challenger and shadow (full traffic is promotion).")
                }
                guard let list = names as? [String] ?? ((names as? [Any])?.isEmpty == true ? [] : nil) else {
                    throw .invalidParameter("serving.\(name) must be a list of control names.")
                }
                if let undefined = list.first(where: { controls[$0] == nil }) {
                    throw .invalidParameter("serving.\(name) requires '\(undefined)', which controls does not define.")
                }
                serving[role] = list
            }
        }
        self.serving = serving
        self.controls = controls
        self.tiers = tiers
        self.protectedAliases = aliases
        self.approvalValidityDays = days
        self.document = document
    }

    private static func control(_ name: String, _ value: Any) throws(StewardError) -> Control {
        guard let map = value as? [String: Any], let kind = map["check"] as? String else {
            throw .invalidParameter("controls.\(name) must be a mapping with a 'check' (\(checkKinds)).")
        }
        let description = map["description"] as? String ?? ""
        // A misspelt key would fall back to a default without a word (`scop: system` checking the version instead).
        let keys: [String: Set<String>] = [
            "model_card": [], "evidence": ["evidence", "scope"], "approvals": ["roles", "count"], "gate": ["gate"], "monitoring": [],
            "retraining": [], "rollout": ["minimum_units"],
        ]
        if let allowed = keys[kind], let unknown = map.keys.sorted().first(where: { !allowed.union(["check", "description"]).contains($0) }) {
            throw .invalidParameter(
                "Unknown key '\(unknown)' in controls.\(name); the \(kind) check takes: "
                    + allowed.union(["check", "description"]).sorted().joined(separator: ", ") + ".")
        }
        switch kind {
        case "model_card":
            return Control(name: name, description: description, check: .modelCard)
        case "evidence":
            guard let type = map["evidence"] as? String, !type.isEmpty else {
                throw .invalidParameter("controls.\(name) checks evidence and must name its type in 'evidence'.")
            }
            guard let scope = EvidenceScope(rawValue: map["scope"] as? String ?? "version") else {
                throw .invalidParameter("controls.\(name).scope must be 'system' or 'version'.")
            }
            return Control(name: name, description: description, check: .evidence(type: type, scope: scope))
        case "approvals":
            guard let roleNames = map["roles"] as? [String], !roleNames.isEmpty else {
                throw .invalidParameter("controls.\(name) checks approvals and must list the approving 'roles'.")
            }
            var roles: Set<Role> = []
            for roleName in roleNames { roles.insert(try Role(parsing: roleName)) }
            let count = map["count"] ?? 1
            guard let number = count as? Int, (1...20).contains(number) else {
                throw .invalidParameter("controls.\(name).count must be a whole number from 1 to 20.")
            }
            return Control(name: name, description: description, check: .approvals(roles: roles, count: number))
        case "gate":
            guard let scope = GateScope(rawValue: map["gate"] as? String ?? "all") else {
                throw .invalidParameter("controls.\(name).gate must be 'all' or 'fairness'.")
            }
            return Control(name: name, description: description, check: .gate(scope))
        case "monitoring":
            return Control(name: name, description: description, check: .monitoring)
        case "retraining":
            return Control(name: name, description: description, check: .retraining)
        case "rollout":
            let units = map["minimum_units"] ?? Self.rolloutMinimumUnits
            guard let number = units as? Int, (1...1_000_000).contains(number) else {
                throw .invalidParameter("controls.\(name).minimum_units must be a whole number from 1 to 1000000.")
            }
            return Control(name: name, description: description, check: .rollout(minimumUnits: number))
        default:
            throw .invalidParameter("controls.\(name).check '\(kind)' is unknown: use \(checkKinds).")
        }
    }

    /// The units a step of a staged rollout must have needed for its win to count, unless the policy says
    /// otherwise: a canary decided on a handful of requests proves nothing.
    public static let rolloutMinimumUnits = 100

    /// The floor the policy's rollout controls ask (the highest, if several), else the default: what the maturity
    /// level's A/B step counts a win by.
    public var rolloutMinimumUnits: Int {
        controls.values.compactMap { control -> Int? in
            if case .rollout(let units) = control.check { return units }
            return nil
        }.max() ?? Self.rolloutMinimumUnits
    }

    static let checkKinds = "model_card, evidence, approvals, gate, monitoring, retraining or rollout"
}

extension GovernancePolicy {
    /// The policy a new server starts with: the seed's table of controls per tier.
    public static let defaultDocument = """
        # Steward governance policy. Each tier lists the controls a model version must satisfy before it may
        # take a protected alias or the Production stage; each control says how it is checked. Controls read what
        # Steward observes wherever it can (model_card, gate, monitoring, retraining, approvals); evidence records
        # are for what it cannot observe.
        version: 1
        protected_aliases: [production, champion]
        approval_validity_days: 90
        controls:
          model_card:
            description: The version's model card states its intended use.
            check: model_card
          monitoring_configured:
            description: The system has a reference profile and alert rules (observed, not declared).
            check: monitoring
          evaluation_gate_passed:
            description: The version's latest evaluation passed every condition of the system's gate.
            check: gate
            gate: all
          human_review:
            description: A reviewer other than the version's author approved it.
            check: approvals
            roles: [reviewer, admin]
            count: 1
          staged_rollout:
            description: >-
              The version won a canary or A/B deployment of the system, as its analysis decided (observed, not
              declared), its analysis asking at least 100 units of each step; a system's first release, with no
              champion in production to stage it against, needs none.
            check: rollout
            minimum_units: 100
          bias_testing_gate_passed:
            description: The version's latest evaluation passed the gate's fairness conditions (on fairness.* metrics).
            check: gate
            gate: fairness
          explainability_artifact:
            description: An explainability artifact exists for the version.
            check: evidence
            evidence: explainability
            scope: version
          regulatory_review:
            description: A compliance officer approved the version.
            check: approvals
            roles: [compliance]
            count: 1
          formal_verification:
            description: A formal-verification attestation exists for the version.
            check: evidence
            evidence: formal_verification
            scope: version
          continuous_audit:
            description: Continuous audit is in place for the system.
            check: evidence
            evidence: continuous_audit
            scope: system
          human_in_the_loop:
            description: The system declares a human in the loop for its decisions.
            check: evidence
            evidence: human_in_the_loop
            scope: system
        # What a version needs to take part in a deployment short of full traffic (full traffic is promotion):
        # of the controls listed here, those its system's tier requires. A canary's challenger is held to the
        # challenger list unless a canary list is given.
        serving:
          challenger: [evaluation_gate_passed]
          shadow: []
        tiers:
          low: [model_card, monitoring_configured]
          medium: [model_card, monitoring_configured, evaluation_gate_passed, human_review, staged_rollout]
          high: [model_card, monitoring_configured, evaluation_gate_passed, human_review, staged_rollout,
                 bias_testing_gate_passed, explainability_artifact, regulatory_review]
          critical: [model_card, monitoring_configured, evaluation_gate_passed, human_review, staged_rollout,
                     bias_testing_gate_passed, explainability_artifact, regulatory_review,
                     formal_verification, continuous_audit, human_in_the_loop]

        """

    // The shipped document is validated by the tests; parsing it cannot fail.
    // swift-format-ignore: NeverUseForceTry
    public static let `default` = try! GovernancePolicy(yaml: defaultDocument)
}

/// A policy in force: its document and the version number it was stored under.
public struct PolicyVersion: Sendable, Equatable {
    public let version: Int64
    public let policy: GovernancePolicy
    public let author: String
    public let createdAt: Int64

    public init(version: Int64, policy: GovernancePolicy, author: String, createdAt: Int64) {
        self.version = version
        self.policy = policy
        self.author = author
        self.createdAt = createdAt
    }
}
