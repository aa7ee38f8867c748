/// A system as the register shows it: the stored entry with what is computed from the rest of the server —
/// maturity, controls met and missing for each model's production (or newest) version, the last evaluation,
/// and its incidents.
public struct RegisterEntry: Sendable, Equatable {
    public var system: AISystem
    public var maturity: MaturityLevel
    public var controls: [ComponentControls]
    public var lastEvaluation: Evidence?
    public var incidents: [Incident]

    public init(system: AISystem, maturity: MaturityLevel, controls: [ComponentControls], lastEvaluation: Evidence?, incidents: [Incident]) {
        self.system = system
        self.maturity = maturity
        self.controls = controls
        self.lastEvaluation = lastEvaluation
        self.incidents = incidents
    }

    /// Controls of one model of the system, checked for the version it serves (or its newest).
    public struct ComponentControls: Sendable, Equatable {
        public var model: String
        public var version: Int64?
        public var evaluations: [ControlEvaluation]

        public init(model: String, version: Int64?, evaluations: [ControlEvaluation]) {
            self.model = model
            self.version = version
            self.evaluations = evaluations
        }
    }

    /// Control names met by every model, and those missing for any.
    public var controlsMet: [String] {
        guard !controls.isEmpty else { return [] }
        let names = controls[0].evaluations.map(\.name)
        return names.filter { name in controls.allSatisfy { $0.evaluations.contains { $0.name == name && $0.satisfied } } }
    }

    public var controlsMissing: [String] {
        var seen: [String] = []
        for component in controls {
            for evaluation in component.evaluations where !evaluation.satisfied && !seen.contains(evaluation.name) { seen.append(evaluation.name) }
        }
        return seen
    }

    public var openIncidents: [Incident] { incidents.filter { $0.status != .resolved } }
}
