import StewardCore

/// A register entry on the wire: the stored system, flattened, with what is computed about it.
struct WireSystem: Encodable {
    struct Component: Encodable {
        let name: String
        let kind: String
    }

    struct ModelControls: Encodable {
        let model: String
        let version: String?
        /// The controls for the first target (the protected alias the version holds, else the policy's first).
        let controls: [ControlEvaluation]
        /// The controls for each protected target, since approvals count for one target only.
        let targets: [TargetControls]

        init(_ component: RegisterEntry.ComponentControls) {
            model = component.model
            version = component.version.map(String.init)
            controls = component.evaluations
            targets = component.targets.map { TargetControls(target: $0.target, controls: $0.evaluations, missing: $0.missing) }
        }
    }

    struct TargetControls: Encodable {
        let target: String
        let controls: [ControlEvaluation]
        let missing: [String]
    }

    /// What Steward observes of the system's monitoring.
    struct Monitoring: Encodable {
        let referenceVersion: Int64?
        let referenceSource: String?
        let alertConditions: Int
        let retrainingWebhook: Bool
        let monitored: Bool

        init(_ facts: MonitoringFacts) {
            referenceVersion = facts.reference?.version
            referenceSource = facts.reference?.source
            alertConditions = facts.alertConditions
            retrainingWebhook = facts.retrainingWebhook
            monitored = facts.isMonitored
        }
    }

    let id: String
    let name: String
    let status: String
    let purpose: String
    let outOfScopeUses: [String]
    let businessOwner: String
    let technicalOwner: String
    let dataSources: [SystemProfile.DataSource]
    let externalModels: [SystemProfile.ExternalModel]
    let knownLimitations: [String]
    let reviewDue: String
    let questionnaire: RiskQuestionnaire
    let riskTier: String
    let tierRationale: String
    let tierSource: String
    let models: [Component]
    let createdAt: Int64
    let updatedAt: Int64
    let createdBy: String
    let maturity: MaturityLevel?
    let controls: [ModelControls]?
    let controlsMet: [String]?
    let controlsMissing: [String]?
    let lastEvaluation: WireEvaluation?
    let monitoring: Monitoring?
    let incidents: [WireIncident]?
    let unlistedModelCalls: Int64?

    init(_ system: AISystem, entry: RegisterEntry? = nil) {
        id = system.id
        name = system.name
        status = system.status.rawValue
        purpose = system.profile.purpose
        outOfScopeUses = system.profile.outOfScopeUses
        businessOwner = system.profile.businessOwner
        technicalOwner = system.profile.technicalOwner
        dataSources = system.profile.dataSources
        externalModels = system.profile.externalModels
        knownLimitations = system.profile.knownLimitations
        reviewDue = system.profile.reviewDue
        questionnaire = system.questionnaire
        riskTier = system.riskTier.rawValue
        tierRationale = system.tierRationale
        tierSource = system.tierSource.rawValue
        models = system.components.map { Component(name: $0.name, kind: $0.kind.rawValue) }
        createdAt = system.createdAt
        updatedAt = system.updatedAt
        createdBy = system.createdBy
        maturity = entry?.maturity
        controls = entry?.controls.map(ModelControls.init)
        controlsMet = entry?.controlsMet
        controlsMissing = entry?.controlsMissing
        lastEvaluation = entry?.lastEvaluation.map(WireEvaluation.init)
        monitoring = entry.map { Monitoring($0.monitoring) }
        incidents = entry?.incidents.map(WireIncident.init)
        unlistedModelCalls = entry?.unlistedModelCalls
    }

    init(_ entry: RegisterEntry) {
        self.init(entry.system, entry: entry)
    }
}

struct WireEvidence: Encodable {
    let id: String
    let systemId: String
    let type: String
    let reference: String
    let digest: String
    let model: String?
    let version: String?
    let author: String
    let createdAt: Int64

    init(_ evidence: Evidence) {
        id = evidence.id
        systemId = evidence.systemID
        type = evidence.type
        reference = evidence.reference
        digest = evidence.digest
        model = evidence.model
        version = evidence.version.map(String.init)
        author = evidence.author
        createdAt = evidence.createdAt
    }
}

struct WireApproval: Encodable {
    let id: String
    let systemId: String
    let model: String
    let version: String
    let alias: String
    let requestedBy: String
    let createdAt: Int64
    let status: ApprovalRequest.Status
    let decisions: [ApprovalDecision]
    /// In the caller's inbox only: whether the request waits on the caller's decision (else the caller asked for it).
    let awaitsYou: Bool?

    init(_ request: ApprovalRequest, awaitsYou: Bool? = nil) {
        self.awaitsYou = awaitsYou
        id = request.id
        systemId = request.systemID
        model = request.model
        version = String(request.version)
        alias = request.alias
        requestedBy = request.requestedBy
        createdAt = request.createdAt
        status = request.status
        decisions = request.decisions
    }
}

struct WireIncident: Encodable {
    let id: String
    let systemId: String
    let model: String?
    let version: String?
    let severity: String
    let title: String
    let description: String
    let status: String
    let openedBy: String
    let openedAt: Int64
    let resolvedAt: Int64?
    let resolution: String
    let playbook: [String: Bool]
    let timeline: [Incident.Entry]

    init(_ incident: Incident) {
        id = incident.id
        systemId = incident.systemID
        model = incident.model
        version = incident.version.map(String.init)
        severity = incident.severity.rawValue
        title = incident.title
        description = incident.description
        status = incident.status.rawValue
        openedBy = incident.openedBy
        openedAt = incident.openedAt
        resolvedAt = incident.resolvedAt
        resolution = incident.resolution
        let done = incident.completedSteps
        playbook = Dictionary(uniqueKeysWithValues: Incident.Step.allCases.map { ($0.rawValue, done.contains($0)) })
        timeline = incident.timeline
    }
}

struct WirePolicy: Encodable {
    let version: Int64
    let document: String
    let protectedAliases: [String]
    let approvalValidityDays: Int
    let tiers: [String: [String]]
    let author: String
    let createdAt: Int64

    init(_ stored: PolicyVersion) {
        version = stored.version
        document = stored.policy.document
        protectedAliases = stored.policy.protectedAliases
        approvalValidityDays = stored.policy.approvalValidityDays
        tiers = Dictionary(uniqueKeysWithValues: stored.policy.tiers.map { ($0.key.rawValue, $0.value) })
        author = stored.author
        createdAt = stored.createdAt
    }
}

struct WireUser: Encodable {
    let name: String
    let role: String
    let createdAt: Int64?
    let authenticated: Bool?

    init(_ user: User) {
        name = user.name
        role = user.role.rawValue
        createdAt = user.createdAt
        authenticated = nil
    }

    init(_ principal: Principal) {
        name = principal.name
        role = principal.role?.rawValue ?? "anonymous"
        createdAt = nil
        authenticated = principal.isAuthenticated
    }
}
