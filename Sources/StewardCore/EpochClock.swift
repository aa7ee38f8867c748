import Foundation

/// Wall-clock time as MLflow counts it: whole milliseconds since the Unix epoch.
public enum EpochClock {
    public static func now() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
    }
}
