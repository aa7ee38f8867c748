import Foundation
import StewardCore
import StewardJSON

/// A system's technical documentation under the headings of the EU AI Act's Annex IV, filled from what the server
/// observed (the register, the registry, evaluations, monitoring) and the evidence it holds.
struct TechnicalDocumentation: Encodable {
    struct Section<Content: Encodable>: Encodable {
        let heading: String
        let content: Content
    }

    struct General: Encodable {
        let name: String
        let intendedPurpose: String
        let outOfScopeUses: [String]
        let businessOwner: String
        let technicalOwner: String
        let status: String
        let models: [WireSystem.Component]
        let externalModels: [SystemProfile.ExternalModel]
    }

    struct Development: Encodable {
        let dataSources: [SystemProfile.DataSource]
        let modelVersionsAssessed: [WireSystem.ModelControls]
    }

    struct Monitoring: Encodable {
        let knownLimitations: [String]
        let humanOversight: [WireEvidence]
        let maturity: MaturityLevel
    }

    struct Risk: Encodable {
        let riskTier: String
        let tierRationale: String
        let tierSource: String
        let questionnaire: RiskQuestionnaire
        let controlsMet: [String]
        let controlsMissing: [String]
    }

    struct Standards: Encodable {
        let policyVersion: Int64
        let policy: String
    }

    struct PostMarket: Encodable {
        let monitoring: WireSystem.Monitoring
        let incidents: [WireIncident]
        let reviewDue: String
    }

    let systemId: String
    let generatedFrom: String
    let generalDescription: Section<General>
    let developmentProcess: Section<Development>
    let monitoringFunctioningAndControl: Section<Monitoring>
    let performanceMetrics: Section<[WireEvaluation]>
    let riskManagementSystem: Section<Risk>
    let lifecycleChanges: Section<String>
    let standardsApplied: Section<Standards>
    let declarationOfConformity: Section<String>
    let postMarketMonitoring: Section<PostMarket>

    init(_ documentation: SystemDocumentation) {
        let (entry, policy, evidence) = (documentation.entry, documentation.policy, documentation.evidence)
        let system = entry.system
        let wire = WireSystem(entry)
        systemId = system.id
        generatedFrom = "Steward AI Register"
        generalDescription = Section(
            heading: "1. General description of the AI system",
            content: General(
                name: system.name, intendedPurpose: system.profile.purpose, outOfScopeUses: system.profile.outOfScopeUses,
                businessOwner: system.profile.businessOwner, technicalOwner: system.profile.technicalOwner, status: system.status.rawValue,
                models: wire.models, externalModels: system.profile.externalModels))
        developmentProcess = Section(
            heading: "2. Detailed description of the elements of the AI system and of the process for its development",
            content: Development(dataSources: system.profile.dataSources, modelVersionsAssessed: wire.controls ?? []))
        monitoringFunctioningAndControl = Section(
            heading: "3. Monitoring, functioning and control of the AI system",
            content: Monitoring(
                knownLimitations: system.profile.knownLimitations,
                humanOversight: evidence.filter { $0.type == "human_in_the_loop" }.map(WireEvidence.init), maturity: entry.maturity))
        performanceMetrics = Section(
            heading: "4. Appropriateness of the performance metrics", content: documentation.evaluations.map(WireEvaluation.init))
        riskManagementSystem = Section(
            heading: "5. Risk management system",
            content: Risk(
                riskTier: system.riskTier.rawValue, tierRationale: system.tierRationale, tierSource: system.tierSource.rawValue,
                questionnaire: system.questionnaire, controlsMet: entry.controlsMet, controlsMissing: entry.controlsMissing))
        lifecycleChanges = Section(
            heading: "6. Relevant changes made through the lifecycle",
            content: "See GET /api/v1/audit?system=\(system.id) and GET /api/v1/models/{name}/history for every recorded change.")
        standardsApplied = Section(
            heading: "7. Harmonised standards and specifications applied",
            content: Standards(policyVersion: policy.version, policy: policy.policy.document))
        declarationOfConformity = Section(heading: "8. EU declaration of conformity", content: "Not recorded in Steward.")
        postMarketMonitoring = Section(
            heading: "9. Post-market monitoring plan",
            content: PostMarket(
                monitoring: WireSystem.Monitoring(entry.monitoring), incidents: entry.incidents.map(WireIncident.init),
                reviewDue: system.profile.reviewDue))
    }

    /// The sections in the Annex's order, each as the JSON its content encodes to.
    var sections: [(heading: String, content: JSONValue)] {
        func section(_ section: Section<some Encodable>) -> (String, JSONValue) {
            let data = (try? NativeMessage.encoder.encode(section.content)) ?? Data("null".utf8)
            return (section.heading, (try? JSONDecoder().decode(JSONValue.self, from: data)) ?? .null)
        }
        return [
            section(generalDescription), section(developmentProcess), section(monitoringFunctioningAndControl), section(performanceMetrics),
            section(riskManagementSystem), section(lifecycleChanges), section(standardsApplied), section(declarationOfConformity),
            section(postMarketMonitoring),
        ]
    }
}
