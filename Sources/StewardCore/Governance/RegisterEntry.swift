/// A system as the register shows it: the stored entry with what is computed from the rest of the server —
/// maturity, controls met and missing for each model's production (or newest) version and every protected
/// target, the last evaluation, what its monitoring looks like, and its incidents.
public struct RegisterEntry: Sendable, Equatable {
    public var system: AISystem
    public var maturity: MaturityLevel
    public var controls: [ComponentControls]
    /// The system's latest evaluation, of any of its models.
    public var lastEvaluation: Evaluation?
    public var monitoring: MonitoringFacts
    public var incidents: [Incident]
    /// Gateway calls of the system refused for a model the entry does not list: shadow AI, counted on the entry.
    public var unlistedModelCalls: Int64

    public init(
        system: AISystem, maturity: MaturityLevel, controls: [ComponentControls], lastEvaluation: Evaluation?, monitoring: MonitoringFacts,
        incidents: [Incident], unlistedModelCalls: Int64 = 0
    ) {
        self.unlistedModelCalls = unlistedModelCalls
        self.system = system
        self.maturity = maturity
        self.controls = controls
        self.lastEvaluation = lastEvaluation
        self.monitoring = monitoring
        self.incidents = incidents
    }

    /// Controls of one model of the system, checked for the version it serves (or its newest), once per protected
    /// target: approvals belong to one target, so a version may be cleared for `production` and not for `champion`.
    public struct ComponentControls: Sendable, Equatable {
        public var model: String
        public var version: Int64?
        /// One entry per protected target, the one the version holds first.
        public var targets: [TargetControls]

        public init(model: String, version: Int64?, targets: [TargetControls]) {
            self.model = model
            self.version = version
            self.targets = targets
        }

        /// The controls for the first target: the alias the version holds, or the policy's first protected one.
        public var evaluations: [ControlEvaluation] { targets.first?.evaluations ?? [] }
    }

    /// The controls for promoting a version to one target (`production`, `champion`, or the Production stage).
    public struct TargetControls: Sendable, Equatable {
        public var target: String
        public var evaluations: [ControlEvaluation]

        public init(target: String, evaluations: [ControlEvaluation]) {
            self.target = target
            self.evaluations = evaluations
        }

        public var missing: [String] { evaluations.filter { !$0.satisfied }.map(\.name) }
    }

    /// Control names met for every target of every model.
    public var controlsMet: [String] {
        let all = controls.flatMap(\.targets)
        guard let first = all.first else { return [] }
        return first.evaluations.map(\.name).filter { name in all.allSatisfy { $0.evaluations.contains { $0.name == name && $0.satisfied } } }
    }

    /// Control names missing for some target of some model: a promotion there would be refused.
    public var controlsMissing: [String] {
        var seen: [String] = []
        for target in controls.flatMap(\.targets) {
            for name in target.missing where !seen.contains(name) { seen.append(name) }
        }
        return seen
    }

    public var openIncidents: [Incident] { incidents.filter { $0.status != .resolved } }
}
