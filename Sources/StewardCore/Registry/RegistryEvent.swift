/// One change to where a registered model's versions stand: an alias set, moved or removed, a stage
/// transition, a version registered or deleted. Kept for good, so that "which version was in Production on
/// the 3rd" has an answer.
public struct RegistryEvent: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case versionCreated = "version_created"
        case versionDeleted = "version_deleted"
        case aliasSet = "alias_set"
        case aliasDeleted = "alias_deleted"
        case stageTransition = "stage_transition"
        case modelRenamed = "model_renamed"
        case modelDeleted = "model_deleted"
    }

    public var name: String
    public var kind: Kind
    public var version: Int64?
    public var alias: String?
    public var fromVersion: Int64?
    public var fromStage: ModelStage?
    public var toStage: ModelStage?
    public var detail: String?
    public var actor: String
    public var time: Int64

    public init(
        name: String, kind: Kind, version: Int64? = nil, alias: String? = nil, fromVersion: Int64? = nil, fromStage: ModelStage? = nil,
        toStage: ModelStage? = nil, detail: String? = nil, actor: String, time: Int64
    ) {
        self.name = name
        self.kind = kind
        self.version = version
        self.alias = alias
        self.fromVersion = fromVersion
        self.fromStage = fromStage
        self.toStage = toStage
        self.detail = detail
        self.actor = actor
        self.time = time
    }
}

extension RegistryEvent {
    /// The versions an alias pointed at before `current`, newest first and without repeats, from a model's
    /// history since `since` (its creation: events of an earlier model with the same name are not its history).
    public static func earlierHolders(of alias: String, current: Int64, in history: [RegistryEvent], since: Int64) -> [Int64] {
        var seen: Set<Int64> = [current]
        return history.filter { $0.kind == .aliasSet && $0.alias == alias && $0.time >= since }.compactMap(\.version).reversed()
            .filter { seen.insert($0).inserted }
    }
}
