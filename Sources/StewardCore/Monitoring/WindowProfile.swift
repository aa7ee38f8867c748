import Foundation
import StewardStatistics

/// A system's events in one time bucket, profiled: their operation (requests, latency, cost, safety flags) and,
/// when the system has a reference, their features over the reference's bins. Status and drift over any window
/// are merged from these, so a day or a month is measured without reading the raw events again, and profiles
/// written by several replicas for the same bucket simply add up. Ingestion writes one per minute a batch touches;
/// compaction merges them into one per minute, and into one per hour once the hour is past.
public struct WindowProfile: Sendable, Equatable {
    public static let minute: Int64 = 60_000
    public static let hour: Int64 = 3_600_000

    public var id: String
    /// The reference the features were profiled over; 0 when the system had none.
    public var referenceVersion: Int64
    /// Milliseconds since the Unix epoch, a multiple of the width.
    public var bucketStart: Int64
    public var bucketWidth: Int64
    public var events: Int
    /// Per reference feature (absent: no event in the bucket was profiled for it).
    public var features: [String: FeatureProfile]
    public var operations: OperationalProfile
    /// Whether this is the bucket's one merged profile rather than a part written at ingestion.
    public var compacted: Bool

    public init(
        id: String, referenceVersion: Int64, bucketStart: Int64, bucketWidth: Int64, events: Int, features: [String: FeatureProfile],
        operations: OperationalProfile, compacted: Bool
    ) {
        self.operations = operations
        self.id = id
        self.referenceVersion = referenceVersion
        self.bucketStart = bucketStart
        self.bucketWidth = bucketWidth
        self.events = events
        self.features = features
        self.compacted = compacted
    }

    public var bucketEnd: Int64 { bucketStart + bucketWidth }

    /// A fresh row identifier (128 random bits: rows are many and written by replicas independently).
    public static func newID() -> String { "wp-" + RandomUUID.string() }

    /// The start of the bucket of `width` that holds `time`.
    public static func bucket(of time: Int64, width: Int64) -> Int64 {
        let remainder = time % width
        return time - (remainder < 0 ? remainder + width : remainder)
    }

    /// Profiles events per minute: their operation, and their features over the reference's bins when there is
    /// a reference.
    public static func profiles(of events: [InferenceEvent], reference: ReferenceProfile?) -> [WindowProfile] {
        var buckets: [Int64: [Int]] = [:]
        for (index, event) in events.enumerated() { buckets[bucket(of: event.time, width: minute), default: []].append(index) }
        return buckets.keys.sorted().map { start in
            let members = buckets[start] ?? []
            var features: [String: FeatureProfile] = [:]
            for (name, profile) in reference?.features ?? [:] {
                features[name] = profile.profile(sample(name, kind: profile.kind, in: events, at: members))
            }
            return WindowProfile(
                id: newID(), referenceVersion: reference?.version ?? 0, bucketStart: start, bucketWidth: minute, events: members.count,
                features: features, operations: OperationalProfile(events, at: members), compacted: false)
        }
    }

    /// A feature's values in the events at `indices` (absent or null is missing) as a sample of the reference
    /// feature's kind.
    static func sample(_ name: String, kind: FeatureProfile.Kind, in events: [InferenceEvent], at indices: [Int]) -> FeatureSample {
        YieldPoint.pass()
        switch kind {
        case .numeric:
            var values: [Double] = []
            values.reserveCapacity(indices.count)
            for index in indices {
                if case .number(let value) = value(name, in: events[index]) { values.append(value) }
            }
            return .numbers(values: values, missing: indices.count - values.count)
        case .categorical:
            var counts: [String: Int] = [:]
            var missing = 0
            for index in indices {
                switch value(name, in: events[index]) {
                case nil, .missing: missing += 1
                case let value?: counts[value.cell, default: 0] += 1
                }
            }
            return .categories(counts: counts, missing: missing)
        }
    }

    /// A feature's value in an event; a reference column named `prediction` is compared with the events'
    /// predictions (prediction drift) unless the events also carry a feature of that name.
    static func value(_ name: String, in event: InferenceEvent) -> FeatureValue? {
        event.features[name] ?? (name == "prediction" ? event.prediction : nil)
    }

    /// Profiles merged: the events they count, each feature's profile and the operation.
    public struct Merged: Sendable {
        public var events = 0
        public var features: [String: FeatureProfile] = [:]
        public var operations = OperationalProfile()
    }

    /// The profiles as one, feature by feature; they must share the reference version.
    public static func merged(_ profiles: [WindowProfile]) throws(StatisticsError) -> Merged {
        var merged = Merged()
        for profile in profiles {
            guard profile.referenceVersion == profiles[0].referenceVersion else {
                throw StatisticsError("Profiles of different references do not merge.")
            }
            merged.events += profile.events
            merged.operations = try merged.operations.merged(with: profile.operations)
            for (name, feature) in profile.features {
                if let existing = merged.features[name] {
                    merged.features[name] = try existing.merged(with: feature)
                } else {
                    merged.features[name] = feature
                }
            }
        }
        return merged
    }

    /// How compaction files a bucket: by the minute while the hour before the current one is not over, then
    /// by the hour.
    public static func compactionWidth(of bucketStart: Int64, now: Int64) -> Int64 {
        bucketStart < bucket(of: now, width: hour) - hour ? hour : minute
    }
}

extension WindowProfile {
    /// How stored events are profiled for a whole reference (a page at a time, oldest first): buckets before
    /// the hour cutoff are profiled by the hour straight away, so compaction has little to merge.
    static func profiler(now: Int64) -> WindowProfiler {
        { reference, events in
            let minutes = profiles(of: events, reference: reference)
            let hours = Dictionary(grouping: minutes.filter { compactionWidth(of: $0.bucketStart, now: now) == hour }) {
                bucket(of: $0.bucketStart, width: hour)
            }
            var profiles = minutes.filter { compactionWidth(of: $0.bucketStart, now: now) == minute }
            for (start, parts) in hours {
                guard let merged = try? WindowProfile.merged(parts) else { return minutes }
                profiles.append(
                    WindowProfile(
                        id: newID(), referenceVersion: reference?.version ?? 0, bucketStart: start, bucketWidth: hour,
                        events: merged.events, features: merged.features, operations: merged.operations, compacted: false))
            }
            return profiles
        }
    }
}
