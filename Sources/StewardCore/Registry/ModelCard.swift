import Foundation

/// A model card for one registered model version, assembled from what the registry and tracking store know
/// and from the notes people add. Groups follow Google's Model Card Toolkit: model details, model parameters,
/// quantitative analysis, considerations; plus deployment and lineage, which Steward knows first-hand.
public struct ModelCard: Sendable, Equatable {
    public struct Details: Sendable, Equatable {
        public var name: String
        public var version: Int64
        public var purpose: String
        public var versionDescription: String
        public var owners: [String]
        public var createdAt: Int64
        public var updatedAt: Int64
        public var source: String
        public var storageLocation: String
        /// The digest of the files as registered (`ContentManifest.digest`), which approvals and promotions check.
        public var contentDigest: String?
        public var tags: [Tag]
    }

    /// A dataset the training run declared.
    public struct DatasetUse: Sendable, Equatable {
        public var name: String
        public var digest: String
        public var sourceType: String
        public var source: String
        public var context: String?
        public var profile: String?
    }

    public struct Parameters: Sendable, Equatable {
        public var modelType: String?
        public var hyperparameters: [Param]
        public var datasets: [DatasetUse]
    }

    /// A metric value and where it comes from: the training run, or an evaluation logged against the model.
    public struct PerformanceMetric: Sendable, Equatable {
        public var name: String
        public var value: Double
        public var step: Int64
        public var dataset: String?
        public var origin: String
    }

    public struct Considerations: Sendable, Equatable {
        public var intendedUse: String?
        public var outOfScopeUses: String?
        public var limitations: String?
        public var ethicalConsiderations: String?
    }

    public struct Deployment: Sendable, Equatable {
        public var stage: ModelStage
        public var aliases: [String]
        public var history: [RegistryEvent]
    }

    /// The governance of the version: the system it serves, that system's tier, the controls for the protected
    /// target the version holds (else the policy's first) and its approval requests.
    public struct Governance: Sendable, Equatable {
        public var systemID: String
        public var systemName: String
        public var systemPurpose: String
        public var riskTier: RiskTier
        public var target: String
        public var controls: [ControlEvaluation]
        public var approvals: [ApprovalRequest]
    }

    public struct Lineage: Sendable, Equatable {
        public var experimentID: String?
        public var experimentName: String?
        public var runID: String?
        public var runName: String?
        public var runUser: String?
        public var loggedModelID: String?
        public var loggedModelName: String?
    }

    public var details: Details
    public var parameters: Parameters
    public var metrics: [PerformanceMetric]
    public var considerations: Considerations
    public var deployment: Deployment
    public var lineage: Lineage
    /// The version's latest evaluation and its gate verdict, if it was evaluated.
    public var evaluation: Evaluation?
    /// Its system, tier, controls and approvals, for a model that belongs to a system.
    public var governance: Governance?

    /// The card fields people edit, by their wire names.
    public enum Note: String, CaseIterable, Sendable {
        case purpose
        case owners
        case intendedUse = "intended_use"
        case outOfScopeUses = "out_of_scope_uses"
        case limitations
        case ethicalConsiderations = "ethical_considerations"
    }
}

extension ModelRegistryService {
    /// Edits a version's card notes (an empty value removes a note), audited: the card's intended use is what the
    /// `model_card` control reads.
    public func setCardNotes(name: String, version: String, notes: [String: String], actor: Principal) async throws {
        let name = try Self.requiredName(name)
        let number = try Self.versionNumber(version)
        for key in notes.keys where ModelCard.Note(rawValue: key) == nil {
            throw StewardError.invalidParameter(
                "Unknown model card field '\(key)'. Editable fields: " + ModelCard.Note.allCases.map(\.rawValue).joined(separator: ", ") + ".")
        }
        for (key, value) in notes where value.count > Self.maxTagValueLength {
            throw TrackingLimits.exceedsLength(key, Self.maxTagValueLength)
        }
        _ = try await repository.modelVersion(name: name, version: number)
        let audit = AuditEntry(
            actor: actor, action: "model_card.update", target: "model:\(name)/\(number)", systemID: try await gate?.systemID(owning: name),
            details: Dictionary(uniqueKeysWithValues: notes.map { ($0.key, $0.value.isEmpty ? "(removed)" : String($0.value.prefix(200))) }))
        try await repository.setCardNotes(name: name, version: number, notes: notes, now: now(), audit: audit)
    }

    /// The card of one version.
    public func modelCard(name: String, version: String) async throws -> ModelCard {
        let name = try Self.requiredName(name)
        let number = try Self.versionNumber(version)
        let model = try await repository.registeredModel(name: name)
        let modelVersion = try await repository.modelVersion(name: name, version: number)
        let notes = try await repository.cardNotes(name: name, version: number)
        let history = try await repository.history(name: name).filter { $0.version == number || $0.fromVersion == number }
        let run: Run? = modelVersion.runID.isEmpty ? nil : try? await runs.run(id: modelVersion.runID)
        let logged: LoggedModel? = await modelVersion.modelID.asyncMap { try? await loggedModels.loggedModel(id: $0) } ?? nil

        var owners = notes[ModelCard.Note.owners.rawValue].map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } } ?? []
        if owners.isEmpty {
            owners = model.tags.filter { $0.key == "owner" || $0.key == "owners" }.flatMap {
                $0.value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            }
        }
        if owners.isEmpty, !modelVersion.userID.isEmpty { owners = [modelVersion.userID] }

        var hyperparameters = run?.data.params ?? []
        for param in logged?.params ?? [] where !hyperparameters.contains(where: { $0.key == param.key }) { hyperparameters.append(param) }
        let datasets = (run?.datasetInputs ?? []).map { input in
            ModelCard.DatasetUse(
                name: input.dataset.name, digest: input.dataset.digest, sourceType: input.dataset.sourceType, source: input.dataset.source,
                context: input.tags.first { $0.key == "mlflow.data.context" }?.value, profile: input.dataset.profile)
        }
        var metrics = (run?.data.metrics ?? []).map { metric in
            ModelCard.PerformanceMetric(name: metric.key, value: metric.value, step: metric.step, dataset: nil, origin: "training run")
        }
        // MLflow 3 logs a run's metrics to its logged model too: those copies are shown once, as the run's.
        // Metrics tied to a dataset are evaluations.
        for metric in logged?.metrics ?? [] {
            let dataset = metric.datasetName.map { name in metric.datasetDigest.map { "\(name) (\($0))" } ?? name }
            let copy =
                dataset == nil && metrics.contains { $0.name == metric.key && $0.value.isSameMetricValue(as: metric.value) && $0.step == metric.step }
            if !copy {
                metrics.append(
                    ModelCard.PerformanceMetric(
                        name: metric.key, value: metric.value, step: metric.step, dataset: dataset,
                        origin: dataset == nil ? "logged model" : "evaluation"))
            }
        }
        let governance = try await gate?.cardGovernance(model: name, version: number)
        // The card's own purpose, else the model's description, else the purpose of the system it serves.
        let purpose = notes[ModelCard.Note.purpose.rawValue] ?? model.description.nonEmptyValue ?? governance?.systemPurpose ?? ""
        let experimentID = run?.info.experimentID ?? logged?.experimentID
        let experimentName = await experimentID.asyncMap { try? await experiments?.experiment(id: $0).name } ?? nil
        return ModelCard(
            details: ModelCard.Details(
                name: name, version: number, purpose: purpose, versionDescription: modelVersion.description, owners: owners,
                createdAt: modelVersion.creationTime, updatedAt: modelVersion.lastUpdatedTime, source: modelVersion.source,
                storageLocation: modelVersion.storageLocation, contentDigest: modelVersion.contentDigest, tags: modelVersion.tags),
            parameters: ModelCard.Parameters(
                modelType: logged.flatMap { $0.modelType.isEmpty ? nil : $0.modelType }, hyperparameters: hyperparameters, datasets: datasets),
            metrics: metrics,
            considerations: ModelCard.Considerations(
                intendedUse: notes[ModelCard.Note.intendedUse.rawValue], outOfScopeUses: notes[ModelCard.Note.outOfScopeUses.rawValue],
                limitations: notes[ModelCard.Note.limitations.rawValue],
                ethicalConsiderations: notes[ModelCard.Note.ethicalConsiderations.rawValue]),
            deployment: ModelCard.Deployment(stage: modelVersion.currentStage, aliases: modelVersion.aliases, history: history),
            lineage: ModelCard.Lineage(
                experimentID: experimentID, experimentName: experimentName, runID: modelVersion.runID.nonEmptyValue, runName: run?.info.runName,
                runUser: run?.data.tags.first { $0.key == "mlflow.user" }?.value ?? run?.info.userID.nonEmptyValue,
                loggedModelID: modelVersion.modelID, loggedModelName: logged?.name),
            evaluation: try await evaluations?.evaluations(systemID: nil, model: name, version: number).first, governance: governance)
    }

    /// Renders a stored prompt version with `variables`.
    public func renderPrompt(name: String, version: String?, alias: String?, variables: [String: String]) async throws -> (
        ModelVersion, PromptTemplate.Rendered
    ) {
        let promptVersion = try await self.promptVersion(name: name, version: version, alias: alias)
        return (promptVersion, try PromptTemplate.render(promptVersion, with: variables))
    }

    /// A stored prompt version: by `alias`, else by `version`, else the latest; refused when it is not a prompt.
    public func promptVersion(name: String, version: String?, alias: String?) async throws -> ModelVersion {
        let promptVersion: ModelVersion
        if let alias, !alias.isEmpty {
            promptVersion = try await self.version(name: name, alias: alias)
        } else if let version, !version.isEmpty {
            promptVersion = try await modelVersion(name: name, version: version)
        } else {
            promptVersion = try await self.version(name: name, alias: Self.latestAlias)
        }
        guard promptVersion.tags.contains(where: { $0.key == PromptTags.text }) else {
            throw StewardError.invalidParameter("'\(name)' version \(promptVersion.version) is not a prompt (it has no \(PromptTags.text) tag).")
        }
        return promptVersion
    }
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}

extension Double {
    /// Equality that treats NaN as equal to NaN, for recognising copies of a logged value.
    fileprivate func isSameMetricValue(as other: Double) -> Bool { self == other || (isNaN && other.isNaN) }
}
