import StewardCore

/// MLflow's `ModelVersion` message.
struct WireModelVersion: Sendable, JSONWritable {
    let version: ModelVersion

    init(_ version: ModelVersion) {
        self.version = version
    }

    func write(to writer: inout JSONWriter) {
        writer.object { writer in
            writer.member("name", version.name)
            writer.member("version", String(version.version))
            writer.member("creation_timestamp", version.creationTime)
            writer.member("last_updated_timestamp", version.lastUpdatedTime)
            writer.member("user_id", version.userID.isEmpty ? nil : version.userID)
            writer.member("current_stage", version.currentStage.rawValue)
            writer.member("description", version.description)
            writer.member("source", version.source)
            writer.member("run_id", version.runID)
            writer.member("status", version.status.rawValue)
            writer.member("tags", version.tags.wire)
            writer.member("run_link", version.runLink)
            writer.member("aliases", version.aliases.isEmpty ? nil : version.aliases)
            writer.member("model_id", version.modelID)
        }
    }
}

/// MLflow's `RegisteredModel` message.
struct WireRegisteredModel: Sendable, JSONWritable {
    let model: RegisteredModel

    init(_ model: RegisteredModel) {
        self.model = model
    }

    func write(to writer: inout JSONWriter) {
        writer.object { writer in
            writer.member("name", model.name)
            writer.member("creation_timestamp", model.creationTime)
            writer.member("last_updated_timestamp", model.lastUpdatedTime)
            writer.member("user_id", model.userID.isEmpty ? nil : model.userID)
            writer.member("description", model.description.isEmpty ? nil : model.description)
            writer.member("latest_versions", model.latestVersions.map(WireModelVersion.init))
            writer.member("tags", model.tags.wire)
            writer.member("aliases", model.aliases.map(WireAlias.init))
        }
    }
}

struct WireAlias: Sendable, JSONWritable {
    let alias: ModelAlias

    init(_ alias: ModelAlias) {
        self.alias = alias
    }

    func write(to writer: inout JSONWriter) {
        writer.object { writer in
            writer.member("alias", alias.alias)
            writer.member("version", String(alias.version))
        }
    }
}

/// One entry of a registered model's history (native API).
struct WireRegistryEvent: Sendable, JSONWritable {
    let event: RegistryEvent

    init(_ event: RegistryEvent) {
        self.event = event
    }

    func write(to writer: inout JSONWriter) {
        writer.object { writer in
            writer.member("name", event.name)
            writer.member("kind", event.kind.rawValue)
            writer.member("version", event.version.map(String.init))
            writer.member("alias", event.alias)
            writer.member("from_version", event.fromVersion.map(String.init))
            writer.member("from_stage", event.fromStage?.rawValue)
            writer.member("to_stage", event.toStage?.rawValue)
            writer.member("detail", event.detail)
            writer.member("actor", event.actor)
            writer.member("time", event.time)
        }
    }
}

extension Array: JSONWritable where Element: JSONWritable {
    func write(to writer: inout JSONWriter) {
        writer.array(self) { writer, element in element.write(to: &writer) }
    }
}

struct CreateRegisteredModelRequest: MLflowRequestMessage {
    var name: String?
    var tags: [WireKeyValue]?
    var description: String?
}

struct RegisteredModelNameRequest: MLflowRequestMessage {
    var name: String?
    var new_name: String?
    var description: String?
}

struct SearchRegistryRequest: MLflowRequestMessage {
    static let repeatedFields: Set<String> = ["order_by"]
    var filter: String?
    var max_results: WireInt64?
    var order_by: [String]?
    var page_token: String?
}

struct LatestVersionsRequest: MLflowRequestMessage {
    static let repeatedFields: Set<String> = ["stages"]
    var name: String?
    var stages: [String]?
}

struct RegistryTagRequest: MLflowRequestMessage {
    var name: String?
    var version: WireText?
    var key: String?
    var value: String?
}

struct AliasRequest: MLflowRequestMessage {
    var name: String?
    var alias: String?
    var version: WireText?
}

struct CreateModelVersionRequest: MLflowRequestMessage {
    var name: String?
    var source: String?
    var run_id: String?
    var tags: [WireKeyValue]?
    var run_link: String?
    var description: String?
    var model_id: String?
}

struct ModelVersionRequest: MLflowRequestMessage {
    var name: String?
    var version: WireText?
    var description: String?
    var stage: String?
    var archive_existing_versions: WireBool?
}
