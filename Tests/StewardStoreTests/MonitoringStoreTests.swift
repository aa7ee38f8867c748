import Foundation
import StewardStatistics
import StewardStore
import StewardTestSupport
import Testing

@testable import StewardCore

/// Window profiles in the SQL store: written with the events in one transaction, compacted by minute and by
/// hour, profiled again when the reference changes, merged across replicas, on every available engine.
@Suite("Monitoring store")
struct MonitoringStoreTests {
    @Test("Each scheduled alert turn is claimed once, however many replicas claim it at once", arguments: TestEngine.available)
    func alertTurnsAreClaimedOnce(engine: TestEngine) async throws {
        try await TestStorage.with(engine) { storage async throws in
            let here = SQLAlertRepository(database: storage.database)
            try await TestStorage.withReplica(of: storage) { database in
                let there = SQLAlertRepository(database: database)
                for dueAt in stride(from: Int64(60_000), through: 300_000, by: 60_000) {
                    let claims = try await withThrowingTaskGroup(of: Bool.self) { group in
                        for index in 0..<12 {
                            let repository = index % 2 == 0 ? here : there
                            group.addTask { try await repository.claimAlertTurn(systemID: "sys", dueAt: dueAt, claimant: "r\(index)", now: dueAt) }
                        }
                        return try await group.reduce(into: [Bool]()) { $0.append($1) }
                    }
                    #expect(claims.filter { $0 }.count == 1, "turn \(dueAt)")
                }
                #expect(
                    try await !here.claimAlertTurn(systemID: "sys", dueAt: 120_000, claimant: "late", now: 400_000), "an earlier turn never runs late"
                )
                #expect(try await there.claimAlertTurn(systemID: "other", dueAt: 120_000, claimant: "r0", now: 120_000), "turns are per system")
            }
        }
    }

    static let admin = Principal.user("ada", role: .admin)

    static func services(_ storage: StewardStorage, _ clock: TestClock) -> TrackingServices {
        TrackingServices(storage, now: { clock.now })
    }

    /// Events at the given times (milliseconds), numbered from `first`; `x` cycles 0…99, `store` alternates.
    static func batch(_ times: [Int64], first: Int, shift: Double = 0) -> Data {
        let lines = times.enumerated().map { offset, time in
            let index = first + offset
            return
                #"{"request_id": "e\#(index)", "time": \#(time), "features": {"x": \#(Double(index % 100) + shift), "store": "\#(index % 2 == 0 ? "north" : "south")"}}"#
        }
        return Data(lines.joined(separator: "\n").utf8)
    }

    static let referenceFeatures: [String: FeatureProfile] = [
        "x": .reference(.numbers((0..<1000).map { Double($0 % 100) })),
        "store": .reference(.categories(counts: ["north": 500, "south": 500], missing: 0)),
    ]

    /// The profile the merged window should equal: every stored event profiled at once.
    static func expected(_ indices: Range<Int>, reference: ReferenceProfile, shift: Double = 0) throws -> [String: FeatureProfile] {
        let events = indices.map { index in
            InferenceEvent(
                requestID: "e\(index)", time: 0,
                features: ["x": .number(Double(index % 100) + shift), "store": .text(index % 2 == 0 ? "north" : "south")])
        }
        return try WindowProfile.merged(WindowProfile.profiles(of: events, reference: reference)).features
    }

    static func rows(_ storage: StewardStorage, _ system: String) async throws -> [WindowProfile] {
        try await SQLEventRepository(database: storage.database).windowProfiles(
            systemID: system,
            referenceVersion: try await storage.database.read { db in
                try await db.raw("SELECT MAX(version) AS v FROM reference_profiles").first()?.decode(column: "v", as: Int64.self) ?? 0
            }, from: 0, to: .max / 2)
    }

    @Test(
        "Drift merges stored bucket profiles: equal to profiling every event, through compaction, late events and a new reference",
        arguments: TestEngine.available)
    func windowProfiles(engine: TestEngine) async throws {
        try await TestStorage.with(engine) { storage async throws in
            // 10:30 on some day, so the hours before are closed.
            let start: Int64 = 1_800_000_000_000 + 10 * 3_600_000 + 30 * 60_000
            let clock = TestClock(start)
            let services = Self.services(storage, clock)
            try await GovernanceStoreTests.registeredModel(services)
            let system = try await GovernanceStoreTests.lowRiskSystem(services).id

            // Events before any reference are profiled for their operation only; setting one profiles their
            // features too, in the same write.
            let early = (0..<200).map { start - 5 * 3_600_000 + Int64($0) * 60_000 }
            _ = try await services.events.ingest(systemID: system, body: Self.batch(early, first: 0))
            let before = try await SQLEventRepository(database: storage.database).windowProfiles(
                systemID: system, referenceVersion: 0, from: 0, to: .max / 2)
            #expect(
                before.map(\.operations.requests).reduce(0, +) == 200
                    && before.allSatisfy { $0.features.isEmpty && $0.events == $0.operations.requests })
            #expect(try await services.events.status(systemID: system, window: 86_400_000).performance.requests == 200)
            let reference = try await services.references.setReference(
                systemID: system, source: "train@v1", features: Self.referenceFeatures, model: .init(name: "m", version: 1), actor: Self.admin)
            #expect(try await services.references.reference(systemID: system).model == .init(name: "m", version: 1))
            var drift = try await services.events.drift(systemID: system, window: 86_400_000)
            #expect(drift.events == 200)
            func direct(_ indices: Range<Int>) throws -> DatasetDrift {
                EventService.drift(of: try Self.expected(indices, reference: reference), from: reference, method: .psi, threshold: nil)
            }
            #expect(drift.drift.features.map(\.feature) == ["store", "x"])
            #expect(drift.drift == (try direct(0..<200)))

            // New events (and a retried one) in the current minutes: profiled at ingestion.
            clock.advance(1_000)
            let recent = (0..<100).map { start - 50_000 + Int64($0) * 500 }
            let result = try await services.events.ingest(systemID: system, body: Self.batch(recent, first: 199))
            #expect(result.accepted == 99 && result.duplicates == 1)
            drift = try await services.events.drift(systemID: system, window: 86_400_000)
            #expect(drift.events == 299)
            #expect(drift.drift == (try direct(0..<299)))

            // Compaction: hours before 09:00 become one row each, later minutes one row per minute; the same drift.
            clock.advance(60_000)
            try await services.events.compactProfiles(systemID: system, now: clock.now)
            let compacted = try await Self.rows(storage, system)
            #expect(compacted.allSatisfy { $0.compacted })
            let hours = compacted.filter { $0.bucketWidth == WindowProfile.hour }
            let fiveOClock = start - 5 * 3_600_000 - 30 * 60_000
            #expect(hours.map(\.bucketStart) == (0..<4).map { fiveOClock + Int64($0) * 3_600_000 })
            #expect(hours.map(\.events) == [30, 60, 60, 50], "the early events ran 05:30–08:49; hours before 09:00 are merged")
            #expect(Set(compacted.map(\.bucketStart)).count == compacted.count, "one row per bucket")
            let afterCompaction = try await services.events.drift(systemID: system, window: 86_400_000)
            #expect(afterCompaction.events == 299 && afterCompaction.drift == drift.drift)

            // A late event for an old hour joins that hour's row at the next compaction.
            _ = try await services.events.ingest(systemID: system, body: Self.batch([start - 5 * 3_600_000 + 1], first: 1000))
            try await services.events.compactProfiles(systemID: system, now: clock.now)
            let late = try await Self.rows(storage, system).filter { $0.bucketWidth == WindowProfile.hour }
            #expect(late.map(\.events) == [31, 60, 60, 50])

            // A window of one hour holds only the last hour's minutes.
            let lastHour = try await services.events.drift(systemID: system, window: 3_600_000)
            #expect(lastHour.from <= clock.now - 3_600_000 && lastHour.from > clock.now - 3_600_000 - 60_000)
            #expect(lastHour.events == 99, "the early events ended at 08:49")

            // Two compactions at once (replicas): one gives way, nothing counted twice.
            _ = try await services.events.ingest(systemID: system, body: Self.batch([clock.now - 90_000], first: 2000))
            clock.advance(60_000)
            let replica = Self.services(storage, clock).events
            async let one: Void = services.events.compactProfiles(systemID: system, now: clock.now)
            async let two: Void = replica.compactProfiles(systemID: system, now: clock.now)
            _ = try await (one, two)
            #expect(try await services.events.drift(systemID: system, window: 86_400_000).events == 301)

            // Another replica still knows reference 1 when reference 2 is set: its events are profiled over
            // reference 2 inside the write, and the stored events were profiled again over it.
            _ = try await replica.ingest(systemID: system, body: Self.batch([clock.now - 1_000], first: 3000))
            let second = try await services.references.setReference(
                systemID: system, source: "train@v2", features: ["x": .reference(.numbers((0..<500).map { Double($0 % 50) }))], actor: Self.admin)
            #expect(second.version == 2)
            _ = try await replica.ingest(systemID: system, body: Self.batch([clock.now - 500], first: 3001))
            let rebuilt = try await services.events.drift(systemID: system, window: 86_400_000)
            #expect(rebuilt.referenceVersion == 2 && rebuilt.events == 303 && rebuilt.drift.features.map(\.feature) == ["x"])
            #expect(try await Self.rows(storage, system).allSatisfy { $0.referenceVersion == 2 })

            // Events the profiles do not count (stored before window profiles existed, or by an older server
            // alongside) are profiled when the server starts.
            try await storage.database.write { db in
                try await db.raw("DELETE FROM window_profiles WHERE bucket_start = (SELECT MIN(bucket_start) FROM window_profiles)").run()
            }
            #expect(try await Self.services(storage, clock).events.drift(systemID: system, window: 86_400_000).events < 303)
            #expect(try await Self.services(storage, clock).events.profileStoredEvents().isEmpty)
            let upgraded = try await Self.services(storage, clock).events.drift(systemID: system, window: 86_400_000)
            #expect(upgraded.events == 303 && upgraded.drift == rebuilt.drift)
            let status = try await services.events.status(systemID: system, window: 86_400_000)
            #expect(status.performance.requests == 303 && status.data.eventsWithFeatures == 303 && status.data.features == ["store", "x"])

            // A cost past any real one is refused (a month's sum must stay finite).
            let costly = try await services.events.ingest(
                systemID: system, body: Data(#"[{"request_id": "big", "cost_usd": 1e308}, {"request_id": "ok", "cost_usd": 0.5}]"#.utf8))
            #expect(costly.accepted == 1 && costly.rejected.count == 1 && costly.rejected[0].message.contains("cost_usd must be a number from 0 to"))

            // Retention removes old buckets' profiles with the events, by whole hours (06:32 rounds to 07:00).
            try await services.events.setSettings(
                systemID: system, settings: MonitoringSettings(retentionDays: 1), actor: .user("cora", role: .compliance))
            clock.advance(86_400_000 - 4 * 3_600_000)
            try await services.events.purgeIfDue(systemID: system, now: clock.now, force: true)
            let kept = try await services.events.drift(systemID: system, window: 7 * 86_400_000)
            let events = try await services.count("inference_events")
            #expect(kept.events == events && events == 304 - 91, "05:30–06:59 held 90 events and the late one; 'ok' is new")
        }
    }
}
