/// One prediction a served system made, as its serving layer reports it: when, by which model version, the
/// input features and the output, and what it cost (latency, tokens, dollars), whether it failed and which
/// safety filters flagged it. Ground truth or user feedback is joined later by request id.
public struct InferenceEvent: Sendable, Equatable {
    public var requestID: String
    /// Milliseconds since the Unix epoch.
    public var time: Int64
    public var model: String?
    public var version: Int64?
    public var features: [String: FeatureValue]
    public var prediction: FeatureValue?
    public var score: Double?
    public var latencyMilliseconds: Double?
    public var tokensIn: Int64?
    public var tokensOut: Int64?
    public var costUSD: Double?
    public var failed: Bool
    public var safetyFlags: [String]
    /// The deployment that served the request, its arm and the unit key it was assigned by (served requests only).
    public var deploymentID: String?
    public var arm: String?
    public var unit: String?

    public init(
        requestID: String, time: Int64, model: String? = nil, version: Int64? = nil, features: [String: FeatureValue] = [:],
        prediction: FeatureValue? = nil, score: Double? = nil, latencyMilliseconds: Double? = nil, tokensIn: Int64? = nil, tokensOut: Int64? = nil,
        costUSD: Double? = nil, failed: Bool = false, safetyFlags: [String] = [], deploymentID: String? = nil, arm: String? = nil,
        unit: String? = nil
    ) {
        self.deploymentID = deploymentID
        self.arm = arm
        self.unit = unit
        self.requestID = requestID
        self.time = time
        self.model = model
        self.version = version
        self.features = features
        self.prediction = prediction
        self.score = score
        self.latencyMilliseconds = latencyMilliseconds
        self.tokensIn = tokensIn
        self.tokensOut = tokensOut
        self.costUSD = costUSD
        self.failed = failed
        self.safetyFlags = safetyFlags
    }
}

/// A feature's (or a prediction's) value in an event: a number, a text, a flag or nothing.
public enum FeatureValue: Sendable, Equatable {
    case number(Double)
    case text(String)
    case flag(Bool)
    case missing

    /// The value as JSON text, for storage.
    public var json: String {
        var bytes: [UInt8] = []
        writeJSON(to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends the value as JSON text in UTF-8: an event's features are written into one buffer, not joined
    /// from many texts.
    public func writeJSON(to bytes: inout [UInt8]) {
        switch self {
        case .number(let value): bytes.append(contentsOf: FeatureValue.shortest(value).utf8)
        case .text(let value): CanonicalJSON.writeString(value, to: &bytes)
        case .flag(let value): bytes.append(contentsOf: (value ? "true" : "false").utf8)
        case .missing: bytes.append(contentsOf: "null".utf8)
        }
    }

    /// The value as a table cell: numbers in their shortest form, flags as true/false, missing as "".
    public var cell: String {
        switch self {
        case .number(let value): FeatureValue.shortest(value)
        case .text(let value): value
        case .flag(let value): value ? "true" : "false"
        case .missing: ""
        }
    }

    static func shortest(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : "\(value)"
    }
}

extension FeatureValue: Decodable {
    /// A JSON scalar: a number, a string, true/false or null; arrays and objects are refused.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .missing
        } else if let number = try? container.decode(Double.self) {
            self = .number(number)
        } else if let text = try? container.decode(String.self) {
            self = .text(text)
        } else if let flag = try? container.decode(Bool.self) {
            self = .flag(flag)
        } else {
            throw StewardError.invalidParameter("A value must be a number, a text, true/false or null.")
        }
    }
}
