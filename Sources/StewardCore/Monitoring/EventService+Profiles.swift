import StewardStatistics

/// Makes window profiles of events (over a reference, when the system has one).
public typealias WindowProfiler = @Sendable (ReferenceProfile?, [InferenceEvent]) -> [WindowProfile]

extension EventService {
    /// Drift of a window from the reference, with the window it actually covers: whole buckets, so it may
    /// start a little before the asked start (at most a minute for the last two hours, an hour before that).
    public struct WindowDrift: Sendable {
        public let from: Int64
        public let to: Int64
        public let events: Int
        public let referenceVersion: Int64
        public let drift: DatasetDrift
    }

    /// A window's stored profiles merged, with the reference they were made over and the window they cover.
    struct MergedWindow: Sendable {
        let reference: ReferenceProfile?
        let from: Int64
        let to: Int64
        let merged: WindowProfile.Merged
    }

    /// The stored profiles of [now − window, now) made over `reference` (the system's current one) merged; no raw
    /// event is read.
    func mergedWindow(systemID: String, window: Int64, reference: ReferenceProfile?) async throws -> MergedWindow {
        let end = now()
        // Compaction only saves later reads; a failure (another replica's turn, say) does not fail this one.
        try? await compactProfiles(systemID: systemID, now: end)
        let rows = try await repository.windowProfiles(systemID: systemID, referenceVersion: reference?.version ?? 0, from: end - window, to: end)
        return MergedWindow(
            reference: reference, from: min(end - window, rows.map(\.bucketStart).min() ?? end - window), to: end,
            merged: try Self.mergedProfiles(rows))
    }

    /// The stored per-bucket profiles of [now − window, now), oldest first: the time series a chart of the
    /// system's requests, latency, errors, cost and flags is drawn from (hour buckets, and coarser once compacted).
    public func timeline(systemID: String, window: Int64) async throws -> [WindowProfile] {
        let end = now()
        let reference = try await references.currentReference(systemID: systemID)
        let rows = try await repository.windowProfiles(systemID: systemID, referenceVersion: reference?.version ?? 0, from: end - window, to: end)
        return rows.sorted { $0.bucketStart < $1.bucketStart }
    }

    /// Each feature's drift (PSI) from the reference profile for each UTC day of [now − window, now), from the
    /// stored profiles, oldest first: how drift moved over time. Empty without a reference profile.
    public func dailyDrift(systemID: String, window: Int64) async throws -> [(day: Int64, drift: DatasetDrift)] {
        guard let reference = try await references.currentReference(systemID: systemID) else { return [] }
        let end = now()
        let rows = try await repository.windowProfiles(systemID: systemID, referenceVersion: reference.version, from: end - window, to: end)
        let day: Int64 = 86_400_000
        let byDay = Dictionary(grouping: rows) { $0.bucketStart / day * day }
        var days: [(day: Int64, drift: DatasetDrift)] = []
        for start in byDay.keys.sorted() {
            guard let profiles = byDay[start] else { continue }
            days.append((start, Self.drift(of: try Self.mergedProfiles(profiles).features, from: reference, method: .psi, threshold: nil)))
        }
        return days
    }

    /// Drift of the window [now − window, now) from the reference profile, merged from the stored per-bucket
    /// profiles. Binned methods for every feature; `wasserstein` and `wasserstein_normed` compare numeric
    /// features' quantile sketches (categorical features then use Jensen–Shannon, as Evidently's automatic rule
    /// does for large samples).
    public func drift(systemID: String, window: Int64, method: DriftMethod = .psi, threshold: Double? = nil) async throws -> WindowDrift {
        guard method != .ks, method != .zTest else {
            throw StewardError.invalidParameter(
                "Monitoring compares profiles: use psi, kl, jensen_shannon, hellinger, chi_square, wasserstein or wasserstein_normed.")
        }
        guard let reference = try await references.currentReference(systemID: systemID) else { throw ReferenceService.noReference(systemID) }
        let window = try await mergedWindow(systemID: systemID, window: window, reference: reference)
        return WindowDrift(
            from: window.from, to: window.to, events: window.merged.events, referenceVersion: reference.version,
            drift: Self.drift(of: window.merged.features, from: reference, method: method, threshold: threshold))
    }

    /// Each reference feature compared with its merged window profile (none: no values); categorical features
    /// use Jensen–Shannon where the method needs numbers.
    static func drift(of window: [String: FeatureProfile], from reference: ReferenceProfile, method: DriftMethod, threshold: Double?) -> DatasetDrift
    {
        var features: [FeatureDrift] = []
        var undefined: [String: String] = [:]
        for (name, profile) in reference.features.sorted(by: { $0.key < $1.key }) {
            let empty: FeatureSample = profile.kind == .numeric ? .numbers(values: [], missing: 0) : .categories(counts: [:], missing: 0)
            let current = window[name] ?? profile.profile(empty)
            let featureMethod = profile.kind == .categorical && method.needsNumbers ? DriftMethod.jensenShannon : method
            do {
                features.append(try profile.drift(feature: name, current: current, method: featureMethod, threshold: threshold))
            } catch {
                undefined[name] = error.message
            }
        }
        return DatasetDrift(features: features, undefined: undefined)
    }

    static func mergedProfiles(_ rows: [WindowProfile]) throws -> WindowProfile.Merged {
        do {
            return try WindowProfile.merged(rows)
        } catch {
            throw StewardError(.internalError, "Stored window profiles do not merge: \(error.message)")
        }
    }

    /// How ingestion profiles a batch: over the reference this process knows (re-read every few seconds), with
    /// the means to profile again inside the write when the stored reference is another one.
    func profiling(systemID: String, events: [InferenceEvent]) async throws -> EventProfiling {
        let reference = try await cache.current(systemID) { try await references.currentReference(systemID: systemID) }
        // Events older than the hour cutoff (a backfill, a batch posted late) are profiled by the hour straight
        // away, as compaction would leave them: a month posted at once is 720 rows, not 43,200 to compact.
        let profiler = WindowProfile.profiler(now: now())
        return EventProfiling(referenceVersion: reference?.version ?? 0, profiles: profiler(reference, events), profile: profiler)
    }

    /// Profiles the stored events of systems whose window profiles do not count every stored event (events
    /// stored before profiles existed, or by an older server alongside): run when the server starts. Returns
    /// the systems that failed, with the error; the others are done.
    @discardableResult
    public func profileStoredEvents() async throws -> [String: any Error] {
        var failures: [String: any Error] = [:]
        for systemID in try await repository.systemsWithUnprofiledEvents() {
            do {
                try await repository.profileStoredEvents(systemID: systemID, profile: WindowProfile.profiler(now: now()))
            } catch {
                failures[systemID] = error
            }
        }
        return failures
    }

    /// Merges the parts ingestion wrote into one profile per closed minute, and minutes into hours once the
    /// hour before the current one is over. Another replica compacting the same rows at once makes one of
    /// the two give way; nothing is counted twice.
    func compactProfiles(systemID: String, now: Int64) async throws {
        let hourCutoff = WindowProfile.bucket(of: now, width: WindowProfile.hour) - WindowProfile.hour
        let candidates = try await repository.compactionCandidates(
            systemID: systemID, closedBefore: WindowProfile.bucket(of: now, width: WindowProfile.minute), hourCutoff: hourCutoff)
        struct Target: Hashable {
            let version: Int64
            let start: Int64
            let width: Int64
        }
        let groups = Dictionary(grouping: candidates) { row in
            // Never narrower than the row already is (a replica with a clock behind this one's made it).
            let width = max(row.bucketWidth, WindowProfile.compactionWidth(of: row.bucketStart, now: now))
            return Target(version: row.referenceVersion, start: WindowProfile.bucket(of: row.bucketStart, width: width), width: width)
        }
        var removing: [String] = []
        var adding: [WindowProfile] = []
        for (target, rows) in groups {
            if rows.count == 1, rows[0].compacted, rows[0].bucketWidth == target.width { continue }
            let merged = try Self.mergedProfiles(rows)
            removing += rows.map(\.id)
            adding.append(
                WindowProfile(
                    id: WindowProfile.newID(), referenceVersion: target.version, bucketStart: target.start, bucketWidth: target.width,
                    events: merged.events, features: merged.features, operations: merged.operations, compacted: true))
        }
        guard !removing.isEmpty else { return }
        _ = try await repository.replaceWindowProfiles(systemID: systemID, removing: removing, adding: adding)
    }
}

/// What ingestion stores besides the events: window profiles made before the write with the reference version
/// the service knew (0: none), and how to make them from the events actually stored when that is no longer the
/// stored reference (or some events were duplicates).
public struct EventProfiling: Sendable {
    public var referenceVersion: Int64
    public var profiles: [WindowProfile]
    public var profile: WindowProfiler

    public init(referenceVersion: Int64, profiles: [WindowProfile], profile: @escaping WindowProfiler) {
        self.referenceVersion = referenceVersion
        self.profiles = profiles
        self.profile = profile
    }
}

/// The reference each system's ingestion profiles against, re-read from the store at most every few seconds
/// (a change made by another replica is caught inside the write in any case). One per process.
public actor ReferenceCache {
    public init() {}

    private var entries: [String: (reference: ReferenceProfile?, loadedAt: ContinuousClock.Instant)] = [:]

    func current(_ systemID: String, load: () async throws -> ReferenceProfile?) async throws -> ReferenceProfile? {
        if let entry = entries[systemID], entry.loadedAt.duration(to: .now) < .seconds(5) { return entry.reference }
        let reference = try await load()
        entries[systemID] = (reference, .now)
        return reference
    }

    func forget(_ systemID: String) { entries[systemID] = nil }
}
