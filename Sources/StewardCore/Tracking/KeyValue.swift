/// A key and a string value: the shape shared by run params, run tags, experiment tags and input tags.
public struct KeyValue: Sendable, Hashable, Codable {
    public var key: String
    public var value: String

    public init(_ key: String, _ value: String) {
        self.key = key
        self.value = value
    }
}

/// A run parameter: written once, never changed.
public typealias Param = KeyValue
/// A tag on a run, an experiment or a dataset input.
public typealias Tag = KeyValue
