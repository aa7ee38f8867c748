import Foundation
import StewardJSON

/// The size limits and naming rules MLflow enforces on tracking data, kept identical so that what one server
/// accepts the other accepts too.
public enum TrackingLimits {
    public static let maxEntityKeyLength = 250
    public static let maxParamValueLength = 6000
    public static let maxTagValueLength = 8000
    public static let maxExperimentNameLength = 500
    public static let maxExperimentTagKeyLength = 250
    public static let maxExperimentTagValueLength = 20000
    public static let maxMetricsPerBatch = 1000
    public static let maxParamsTagsPerBatch = 100
    public static let maxEntitiesPerBatch = 1000
    public static let maxBatchRequestBytes = 1_000_000
    public static let maxDatasetNameLength = 500
    public static let maxDatasetDigestLength = 36
    public static let maxDatasetSourceLength = 65535
    public static let maxDatasetSchemaLength = 1_048_575
    public static let maxDatasetProfileLength = 16_777_215
    public static let maxInputTagKeyLength = 255
    public static let maxInputTagValueLength = 500
    public static let maxMetricHistoryResults = 25000
    public static let maxBulkIntervalRuns = 100
    public static let maxBulkIntervalResults = 2500

    /// "Invalid value <json> for parameter '<path>' supplied[: <reason>]", MLflow's wording.
    public static func invalidValue(_ path: String, _ value: String?, _ reason: String? = nil) -> StewardError {
        let rendered = value.map(JSONValue.quoted) ?? "null"
        if let reason {
            return .invalidParameter("Invalid value \(rendered) for parameter '\(path)' supplied: \(reason)")
        }
        return .invalidParameter("Invalid value \(rendered) for parameter '\(path)' supplied.")
    }

    public static func missingValue(_ path: String) -> StewardError {
        .invalidParameter("Missing value for required parameter '\(path)'.")
    }

    public static func exceedsLength(_ entity: String, _ limit: Int) -> StewardError {
        .invalidParameter("'\(entity)' exceeds the maximum length of \(limit) characters")
    }

    /// Checks a metric, param or tag key: allowed characters, and no path tricks (a key may become a file name).
    public static func validateKey(_ key: String, path: String) throws(StewardError) {
        let allowed = key.unicodeScalars.allSatisfy { scalar in
            switch scalar {
            case "/", "_", ".", "-", " ", ":": true
            default: scalar.properties.isAlphabetic || scalar.properties.numericType != nil
            }
        }
        guard allowed else {
            throw invalidValue(
                path, key,
                "Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), colon(:) and slashes (/).")
        }
        let normalized = normalizedPath(key)
        if normalized != key || normalized == "." || normalized.hasPrefix("..") || normalized.hasPrefix("/") {
            throw invalidValue(
                path, key,
                "Names may be treated as files in certain cases, and must not resolve to other names when treated as such. "
                    + "This name would resolve to '\(normalized)'")
        }
        guard key.count <= maxEntityKeyLength else { throw exceedsLength(path, maxEntityKeyLength) }
    }

    /// The POSIX normal form of a path: repeated slashes, `.` and resolvable `..` components removed.
    static func normalizedPath(_ path: String) -> String {
        if path.isEmpty { return "." }
        let absolute = path.hasPrefix("/")
        var parts: [Substring] = []
        for component in path.split(separator: "/", omittingEmptySubsequences: true) {
            if component == "." { continue }
            if component == "..", let last = parts.last, last != ".." {
                parts.removeLast()
            } else if component == ".." && absolute {
                continue
            } else {
                parts.append(component)
            }
        }
        let joined = parts.joined(separator: "/")
        if absolute {
            let leading = path.hasPrefix("//") && !path.hasPrefix("///") ? "//" : "/"
            return leading + joined
        }
        return joined.isEmpty ? "." : joined
    }

    /// Shortens `value` to `limit` characters, as MLflow does for param and tag values.
    public static func truncated(_ value: String, to limit: Int) -> String {
        value.count <= limit ? value : String(value.prefix(limit))
    }
}
