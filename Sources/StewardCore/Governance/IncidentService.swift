/// Incidents: opened against a system, worked through the playbook, resolved; every change audited.
public struct IncidentService: Sendable {
    let repository: any IncidentRepository
    let systems: any SystemRepository
    let registry: any ModelRegistryRepository
    let audit: any AuditRepository
    let now: @Sendable () -> Int64

    public init(
        repository: any IncidentRepository, systems: any SystemRepository, registry: any ModelRegistryRepository, audit: any AuditRepository,
        now: @escaping @Sendable () -> Int64 = EpochClock.now
    ) {
        self.repository = repository
        self.systems = systems
        self.registry = registry
        self.audit = audit
        self.now = now
    }

    public struct Change: Sendable {
        public var status: String?
        public var note: String?
        public var step: String?

        public init(status: String? = nil, note: String? = nil, step: String? = nil) {
            self.status = status
            self.note = note
            self.step = step
        }
    }

    public func open(
        systemID: String, title: String, severity: String, description: String, model: String?, version: String?, actor: Principal
    ) async throws -> Incident {
        let (incident, entry) = try await draft(
            systemID: systemID, title: title, severity: severity, description: description, model: model, version: version, actor: actor)
        try await repository.createIncident(incident, audit: entry)
        return incident
    }

    /// A new incident checked and built, with the audit entry of its opening and `steps` of the playbook already
    /// done (each a timeline entry, with its note if it has one), for a caller that writes it in its own
    /// transaction together with what caused it (a deployment's rollback).
    func draft(
        systemID: String, title: String, severity: String, description: String, model: String?, version: String?, actor: Principal,
        id: String = RecordID.make("inc"), steps: [(step: Incident.Step, note: String?)] = []
    ) async throws -> (incident: Incident, audit: AuditEntry) {
        let system = try await systems.system(id: systemID)
        try await audit.requireContributor(actor, "incident.open", target: "system:\(systemID)", systemID: systemID, now: now())
        guard !title.trimmingCharacters(in: .whitespaces).isEmpty else { throw StewardError.invalidParameter("An incident needs a title.") }
        let level = try Incident.Severity(parsing: severity)
        var number: Int64?
        if let model = model?.nonEmptyValue {
            guard system.components.contains(where: { $0.name == model }) else {
                throw StewardError.invalidParameter("Model '\(model)' is not part of system '\(system.name)'.")
            }
            if let version = version?.nonEmptyValue {
                number = try ModelRegistryService.versionNumber(version)
                _ = try await registry.modelVersion(name: model, version: number!)
            }
        }
        let time = now()
        var timeline = [Incident.Entry(time: time, actor: actor.name, kind: "opened", text: title)]
        for (step, note) in steps {
            timeline.append(Incident.Entry(time: time, actor: actor.name, kind: "step", text: step.rawValue))
            if let note { timeline.append(Incident.Entry(time: time, actor: actor.name, kind: "note", text: note)) }
        }
        let incident = Incident(
            id: id, systemID: systemID, model: model?.nonEmptyValue, version: number, severity: level, title: title,
            description: description, status: .open, openedBy: actor.name, openedAt: time, resolvedAt: nil, resolution: "",
            timeline: timeline)
        var details = ["severity": level.rawValue, "title": title]
        if !steps.isEmpty { details["steps"] = steps.map(\.step.rawValue).joined(separator: ", ") }
        return (incident, AuditEntry(actor: actor, action: "incident.open", target: "incident:\(incident.id)", systemID: systemID, details: details))
    }

    /// Moves an incident on: a new status, a note on the timeline, or a playbook step done.
    public func update(id: String, _ change: Change, actor: Principal) async throws -> Incident {
        var incident = try await repository.incident(id: id)
        try await audit.requireContributor(actor, "incident.update", target: "incident:\(id)", systemID: incident.systemID, now: now())
        guard incident.status != .resolved else { throw StewardError(.resourceConflict, "Incident \(id) is resolved; open a new one.") }
        let time = now()
        var entries: [Incident.Entry] = []
        var details: [String: String] = [:]
        if let statusName = change.status {
            guard let status = Incident.Status(rawValue: statusName.lowercased()), status != .resolved, status != .open || incident.status == .open
            else {
                throw StewardError.invalidParameter("status must be investigating or mitigated; resolve with /resolve.")
            }
            if status != incident.status {
                entries.append(Incident.Entry(time: time, actor: actor.name, kind: "status", text: status.rawValue))
                details["status"] = "\(incident.status.rawValue) -> \(status.rawValue)"
                incident.status = status
            }
        }
        if let stepName = change.step {
            guard let step = Incident.Step(rawValue: stepName) else {
                throw StewardError.invalidParameter(
                    "Unknown playbook step '\(stepName)': use \(Incident.Step.allCases.map(\.rawValue).joined(separator: ", ")).")
            }
            entries.append(Incident.Entry(time: time, actor: actor.name, kind: "step", text: step.rawValue))
            details["step"] = step.rawValue
        }
        if let note = change.note?.nonEmptyValue {
            entries.append(Incident.Entry(time: time, actor: actor.name, kind: "note", text: note))
            details["note"] = note
        }
        guard !entries.isEmpty else { throw StewardError.invalidParameter("Give a status, a note or a playbook step.") }
        incident.timeline += entries
        try await repository.updateIncident(
            incident, newEntries: entries,
            audit: AuditEntry(actor: actor, action: "incident.update", target: "incident:\(id)", systemID: incident.systemID, details: details))
        return incident
    }

    public func resolve(id: String, resolution: String, actor: Principal) async throws -> Incident {
        var incident = try await repository.incident(id: id)
        try await audit.requireContributor(actor, "incident.resolve", target: "incident:\(id)", systemID: incident.systemID, now: now())
        guard incident.status != .resolved else { throw StewardError(.resourceConflict, "Incident \(id) is already resolved.") }
        guard !resolution.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw StewardError.invalidParameter("Resolving an incident needs a resolution: what was found and done.")
        }
        let time = now()
        let entry = Incident.Entry(time: time, actor: actor.name, kind: "resolved", text: resolution)
        incident.status = .resolved
        incident.resolvedAt = time
        incident.resolution = resolution
        incident.timeline.append(entry)
        try await repository.updateIncident(
            incident, newEntries: [entry],
            audit: AuditEntry(
                actor: actor, action: "incident.resolve", target: "incident:\(id)", systemID: incident.systemID,
                details: ["resolution": resolution]))
        return incident
    }

    public func incident(id: String) async throws -> Incident {
        try await repository.incident(id: id)
    }

    public func incidents(systemID: String?) async throws -> [Incident] {
        try await repository.incidents(systemID: systemID)
    }
}
