import StewardStatistics
import Testing

@testable import StewardCore

/// Drift of events from a reference profile, in the service's own terms.
@Suite("Monitoring drift")
struct MonitoringDriftTests {
    @Test("a reference column named prediction is compared with the events' predictions")
    func predictionDrift() throws {
        let reference = ReferenceProfile(
            systemID: "s", version: 1, source: "train@v1",
            features: [
                "prediction": .reference(.numbers((0..<1000).map { Double($0 % 100) })),
                "store": .reference(.categories(counts: ["north": 50, "south": 50], missing: 0)),
            ], createdBy: "t", createdAt: 0)
        let stable = (0..<500).map {
            InferenceEvent(
                requestID: "a\($0)", time: 0, features: ["store": .text($0 % 2 == 0 ? "north" : "south")], prediction: .number(Double($0 % 100)))
        }
        let shifted = (0..<500).map {
            InferenceEvent(requestID: "b\($0)", time: 0, features: ["store": .text("north")], prediction: .number(Double($0 % 100) + 70))
        }
        func drift(_ events: [InferenceEvent], method: DriftMethod = .psi) throws -> DatasetDrift {
            EventService.drift(
                of: try WindowProfile.merged(WindowProfile.profiles(of: events, reference: reference)).features, from: reference, method: method,
                threshold: nil)
        }
        let calm = try drift(stable)
        #expect(calm.driftedFeatures.isEmpty && calm.features.count == 2)
        let moved = try drift(shifted)
        #expect(moved.driftedFeatures.sorted() == ["prediction", "store"])
        let missing = try drift([InferenceEvent(requestID: "x", time: 0)])
        #expect(missing.features.isEmpty && missing.undefined.keys.sorted() == ["prediction", "store"])
        let sketched = try drift(shifted, method: .wassersteinNormed)
        #expect(sketched.features.map(\.method) == [.wassersteinNormed, .jensenShannon], "categories fall back to Jensen–Shannon")
        #expect(sketched.driftedFeatures.sorted() == ["prediction", "store"])
    }

    @Test("events are profiled per minute; the minutes merge into the profile of them all")
    func bucketsMerge() throws {
        let reference = ReferenceProfile(
            systemID: "s", version: 3, source: "train@v1",
            features: [
                "x": .reference(.numbers((0..<1000).map { Double($0) / 10 })),
                "c": .reference(.categories(counts: ["a": 5, "b": 5], missing: 0)),
            ], createdBy: "t", createdAt: 0)
        let start: Int64 = 1_800_000_000_000
        let events: [InferenceEvent] = (0..<600).map { (index: Int) -> InferenceEvent in
            let features: [String: FeatureValue] =
                index % 5 == 0 ? [:] : ["x": .number(Double(index % 120)), "c": .text(index % 3 == 0 ? "a" : "z")]
            return InferenceEvent(requestID: "e\(index)", time: start + Int64(index) * 1_000, features: features)
        }
        let profiles = WindowProfile.profiles(of: events, reference: reference)
        let minutes: [Int64] = (0..<10).map { start + Int64($0) * 60_000 }
        #expect(profiles.map { $0.bucketStart } == minutes && profiles.allSatisfy { $0.events == 60 })
        #expect(profiles.allSatisfy { $0.referenceVersion == 3 && !$0.compacted && $0.bucketWidth == WindowProfile.minute })
        let merged = try WindowProfile.merged(profiles)
        let together = events.map { event -> InferenceEvent in
            var moved = event
            moved.time = start
            return moved
        }
        let whole = try #require(WindowProfile.profiles(of: together, reference: reference).first)
        #expect(merged.events == 600)
        #expect(merged.features["x"]?.binCounts == whole.features["x"]?.binCounts && merged.features["x"]?.sketch == whole.features["x"]?.sketch)
        #expect(merged.features["x"]?.missing == 120 && merged.features["c"]?.categories == whole.features["c"]?.categories)
        var other = profiles[0]
        other.referenceVersion = 2
        #expect(throws: StatisticsError.self) { try WindowProfile.merged([profiles[0], other]) }
    }

    @Test("buckets: by the minute until the hour before the current one is over, then by the hour")
    func bucketing() {
        #expect(WindowProfile.bucket(of: 3_599_999, width: WindowProfile.hour) == 0)
        #expect(WindowProfile.bucket(of: -1, width: WindowProfile.minute) == -60_000)
        let now: Int64 = 10 * 3_600_000 + 30 * 60_000
        #expect(WindowProfile.compactionWidth(of: 9 * 3_600_000, now: now) == WindowProfile.minute)
        #expect(WindowProfile.compactionWidth(of: 9 * 3_600_000 - 60_000, now: now) == WindowProfile.hour)
    }
}

/// The background scheduler's turns: each system on its own `every`, others on the default interval.
@Suite("Alert schedule")
struct AlertScheduleTests {
    @Test("systems are due on their own interval; changed rules restart the clock; removed ones are forgotten")
    func turns() {
        var schedule = AlertSchedule(defaultInterval: 60_000)
        let hosts = EndpointAllowList(hosts: [])
        var documents = ["fast": "every: 15s\nconditions: ['error_rate <= 0.1']\n", "slow": "conditions: ['error_rate <= 0.1']\n"]
        #expect(schedule.due(documents, now: 0, allowedHosts: hosts).isEmpty, "first seen: one interval from now")
        #expect(schedule.pause(now: 0) == 15_000)
        #expect(schedule.due(documents, now: 14_999, allowedHosts: hosts).isEmpty)
        #expect(schedule.due(documents, now: 15_000, allowedHosts: hosts).map(\.systemID) == ["fast"])
        #expect(schedule.due(documents, now: 30_000, allowedHosts: hosts).map(\.systemID) == ["fast"])
        #expect(schedule.due(documents, now: 60_000, allowedHosts: hosts).map(\.systemID) == ["fast", "slow"])
        documents["fast"] = "every: 1m\nconditions: ['error_rate <= 0.2']\n"
        #expect(schedule.due(documents, now: 65_000, allowedHosts: hosts).isEmpty, "new rules: a new clock")
        #expect(schedule.due(documents, now: 125_000, allowedHosts: hosts).map(\.systemID) == ["fast", "slow"])
        documents["slow"] = nil
        #expect(schedule.due(documents, now: 1_000_000, allowedHosts: hosts).map(\.systemID) == ["fast"])
        #expect(schedule.pause(now: 1_000_000) == 20_000, "until the next whole minute")
        #expect(throws: StewardError.self) { try AlertRules(yaml: "every: 1s\nconditions: ['error_rate <= 0.1']\n", allowedHosts: hosts) }
    }

    @Test("Turns fall on multiples of the interval, the same on every replica, and a late scheduler takes the latest")
    func alignedTurns() {
        let hosts = EndpointAllowList(hosts: [])
        let documents = ["fast": "every: 15s\nconditions: ['error_rate <= 0.1']\n"]
        var early = AlertSchedule(defaultInterval: 60_000)
        var late = AlertSchedule(defaultInterval: 60_000)
        #expect(early.due(documents, now: 1_000, allowedHosts: hosts).isEmpty)
        #expect(late.due(documents, now: 14_000, allowedHosts: hosts).isEmpty)
        #expect(early.pause(now: 1_000) == 14_000 && late.pause(now: 14_000) == 1_000, "both wait for the same turn")
        #expect(early.due(documents, now: 15_000, allowedHosts: hosts) == [AlertTurn(systemID: "fast", dueAt: 15_000)])
        #expect(late.due(documents, now: 15_400, allowedHosts: hosts) == [AlertTurn(systemID: "fast", dueAt: 15_000)])
        #expect(late.due(documents, now: 29_999, allowedHosts: hosts).isEmpty)
        #expect(late.due(documents, now: 47_000, allowedHosts: hosts) == [AlertTurn(systemID: "fast", dueAt: 45_000)], "missed turns are not made up")
        #expect(late.pause(now: 47_000) == 13_000)
    }

    @Test("Without a signing secret, rules naming a webhook are refused for that reason, whatever the host; rules without one read")
    func webhooksNeedTheSecret() throws {
        for document in [
            "conditions: ['error_rate <= 0.1']\nwebhooks: [https://hooks.example.com/a]\n",
            "conditions: ['error_rate <= 0.1']\nretraining_webhook: http://10.0.0.1/retrain\n",
        ] {
            #expect {
                try AlertRules(yaml: document, allowedHosts: nil)
            } throws: { ($0 as? StewardError)?.message.contains("start it with STEWARD_WEBHOOK_SECRET set") == true }
        }
        #expect(try AlertRules(yaml: "conditions: ['error_rate <= 0.1']\n", allowedHosts: nil).webhooks.isEmpty)
        #expect {
            try AlertRules(yaml: "conditions: ['error_rate <= 0.1']\nwebhooks: [https://x.example/a]\n", allowedHosts: EndpointAllowList(hosts: []))
        } throws: {
            ($0 as? StewardError)?.message.contains("STEWARD_WEBHOOK_SECRET") == false
        }
    }

    @Test("a system still being evaluated skips its turn; one past the capacity stays due")
    func busyAndCapacity() {
        var schedule = AlertSchedule(defaultInterval: 60_000)
        let hosts = EndpointAllowList(hosts: [])
        let documents = [
            "a": "conditions: ['error_rate <= 0.1']\n", "b": "conditions: ['error_rate <= 0.1']\n", "c": "conditions: ['error_rate <= 0.1']\n",
        ]
        _ = schedule.due(documents, now: 0, allowedHosts: hosts)
        #expect(schedule.due(documents, now: 60_000, allowedHosts: hosts, busy: ["a"], capacity: 1).map(\.systemID) == ["b"])
        #expect(
            schedule.due(documents, now: 61_000, allowedHosts: hosts, busy: [], capacity: 5).map(\.systemID) == ["c"],
            "c stayed due; a waits its next turn")
        #expect(
            schedule.due(documents, now: 120_000, allowedHosts: hosts, busy: [], capacity: 5).map(\.systemID) == ["a", "b", "c"],
            "c, taken late, keeps the same turns as the others")
    }
}
