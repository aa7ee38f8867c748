/// A dataset as a run declares it: identified within an experiment by name and content digest.
public struct Dataset: Sendable, Hashable {
    public var name: String
    public var digest: String
    public var sourceType: String
    public var source: String
    public var schema: String?
    public var profile: String?

    public init(name: String, digest: String, sourceType: String, source: String, schema: String? = nil, profile: String? = nil) {
        self.name = name
        self.digest = digest
        self.sourceType = sourceType
        self.source = source
        self.schema = schema
        self.profile = profile
    }
}

/// A dataset used by a run, with tags such as `mlflow.data.context` = `training`.
public struct DatasetInput: Sendable, Equatable {
    public var tags: [Tag]
    public var dataset: Dataset

    public init(tags: [Tag], dataset: Dataset) {
        self.tags = tags
        self.dataset = dataset
    }
}
