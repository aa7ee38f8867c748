import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import StewardCore
import StewardServer
import StewardStore
import StewardTestSupport
import Testing

/// Inference events, labels, retention and the five-category status over HTTP, on both engines.
@Suite("Monitoring routes")
struct MonitoringRouteTests {
    static func system(_ client: some TestClientProtocol) async throws -> String {
        let created = try await client.call(.post, "/api/v1/systems", json: #"{"name": "demand", "purpose": "Forecasts store demand"}"#)
        return try #require(created.body.dictionary("system")?.string("id"))
    }

    static func bearer(_ token: String) -> HTTPFields { [.authorization: "Bearer \(token)", .contentType: "application/json"] }

    @Test("Good rows are stored and every bad one is named; a retry stores nothing twice", arguments: TestEngine.available)
    func ingest(engine: TestEngine) async throws {
        try await withApplication(engine) { client, services in
            let id = try await Self.system(client)
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            let lines = [
                #"{"request_id": "a1", "time": \#(now - 60_000), "features": {"store": "north", "temp": 12.5, "promo": true, "note": null}, "prediction": 120, "latency_ms": 12, "cost_usd": 0.001, "tokens_in": 40, "tokens_out": 8}"#,
                #"{"request_id": "a2", "time": "2026-11-29T07:00:00.250Z", "prediction": "refund", "latency_ms": 30, "safety_flags": ["pii"], "error": true}"#,
                #"{"request_id": "a3", "latency": 5}"#,
                "not json",
                #"{"request_id": "a4", "latency_ms": -1}"#,
                #"{"request_id": "a5", "features": {"nested": {"x": 1}}}"#,
                #"{"request_id": "a6", "time": \#(now + 2 * 86_400_000)}"#,
                #"{"request_id": "a1"}"#,
                "",
                #"{"request_id": 7, "score": 0.25}"#,
            ]
            let body = ByteBuffer(string: lines.joined(separator: "\n"))
            let first = try await client.call(.post, "/api/v1/systems/\(id)/events", bytes: body)
            #expect(first.status == .ok, "\(String(buffer: first.raw))")
            #expect(first.body["accepted"] as? Int == 3 && first.body["duplicates"] as? Int == 0 && first.body["rejected"] as? Int == 6)
            let errors = first.body.array("errors")
            #expect(errors.map { $0["row"] as? Int } == [3, 4, 5, 6, 7, 8])
            #expect(errors[0].string("message")?.contains("Unknown field 'latency'") == true)
            #expect(errors[2].string("message")?.contains("latency_ms must be a number from 0 to") == true)
            #expect(errors[3].string("message")?.contains("Feature 'nested'") == true || errors[3].string("message")?.contains("features") == true)
            #expect(errors[4].string("message")?.contains("future") == true)
            #expect(errors[5].string("message")?.contains("appears twice") == true)

            let retry = try await client.call(.post, "/api/v1/systems/\(id)/events", bytes: body)
            #expect(retry.body["accepted"] as? Int == 0 && retry.body["duplicates"] as? Int == 3)

            let stored = try await services.storage.database.read { db in
                try await db.raw("SELECT request_id, features, prediction, failed FROM inference_events ORDER BY request_id").all().map {
                    [try $0.decode(column: "request_id", as: String.self), try $0.decode(column: "features", as: String.self)]
                }
            }
            #expect(stored.map(\.[0]) == ["7", "a1", "a2"])
            #expect(stored[1][1] == #"{"note":null,"promo":true,"store":"north","temp":12.5}"#)

            // A JSON array works the same; a batch of nothing but bad rows is a 400 that names them.
            let array = try await client.call(
                .post, "/api/v1/systems/\(id)/events", json: #"[{"request_id": "b1", "prediction": 90, "latency_ms": 20}]"#)
            #expect(array.body["accepted"] as? Int == 1)
            try await client.expectError(
                .post, "/api/v1/systems/\(id)/events", json: #"[{"x": 1}, 5]"#, status: .badRequest, code: "INVALID_PARAMETER_VALUE",
                messageContains: "All 2 events were refused")
            try await client.expectError(
                .post, "/api/v1/systems/\(id)/events", json: #"[{"request_id": "c1"}"#, status: .badRequest, code: "INVALID_PARAMETER_VALUE")
            try await client.expectError(
                .post, "/api/v1/systems/sys-missing/events", json: #"[{"request_id": "c1"}]"#, status: .notFound, code: "RESOURCE_DOES_NOT_EXIST")
            let count = try await services.storage.database.read { db in
                try await db.raw("SELECT COUNT(*) AS n FROM inference_events").first()?.decode(column: "n", as: Int.self)
            }
            #expect(count == 4)
        }
    }

    @Test("Labels and feedback join by request id and feed the five-category status", arguments: TestEngine.available)
    func labelsAndStatus(engine: TestEngine) async throws {
        try await withApplication(engine) { client, _ in
            let id = try await Self.system(client)
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            var events: [String] = []
            for index in 0..<10 {
                events.append(
                    #"{"request_id": "r\#(index)", "time": \#(now - Int64(index) * 1000), "prediction": \#(100 + index), "latency_ms": \#(10 * (index + 1)), "cost_usd": 0.002, "tokens_in": 100, "tokens_out": 20, "error": \#(index == 9), "safety_flags": \#(index < 2 ? #"["toxicity"]"# : "[]"), "features": {"store": "s\#(index % 2)"}}"#
                )
            }
            events.append(#"{"request_id": "old", "time": \#(now - 3 * 86_400_000), "prediction": 1, "latency_ms": 9999}"#)
            let posted = try await client.call(.post, "/api/v1/systems/\(id)/events", bytes: ByteBuffer(string: events.joined(separator: "\n")))
            #expect(posted.body["accepted"] as? Int == 11)
            let labels = try await client.call(
                .post, "/api/v1/systems/\(id)/labels",
                json:
                    #"[{"request_id": "r0", "label": 100}, {"request_id": "r1", "label": 90}, {"request_id": "r2", "feedback": false}, {"request_id": "r3", "feedback": 0.5}, {"request_id": "nope", "label": 1}, {"request_id": "r4"}, {"request_id": "r5", "feedback": 3}]"#
            )
            #expect(labels.body["matched"] as? Int == 4 && labels.body["rejected"] as? Int == 3, "\(String(buffer: labels.raw))")
            #expect(labels.body.array("errors").map { $0["row"] as? Int } == [5, 6, 7])

            let status = try #require(try await client.call(.get, "/api/v1/systems/\(id)/monitoring/status?window=1d").body.dictionary("status"))
            let performance = try #require(status.dictionary("performance"))
            #expect(performance["requests"] as? Int == 10 && performance["error_rate"] as? Double == 0.1)
            // NumPy's linear percentiles of 10, 20, …, 100 (55 and 95.5), from the window's latency sketch: within 0.5%.
            #expect(abs((performance["latency_p50_ms"] as? Double ?? 0) - 55) <= 0.005 * 60)
            #expect(abs((performance["latency_p95_ms"] as? Double ?? 0) - 95.5) <= 0.005 * 100)
            let quality = try #require(status.dictionary("quality"))
            #expect(quality["labeled"] as? Int == 2 && quality["accuracy"] as? Double == 0.5)
            #expect(quality["mean_absolute_error"] as? Double == 5.5 && abs((quality["wape"] as? Double ?? 0) - 11.0 / 190) < 1e-12)
            #expect(quality["feedback_count"] as? Int == 2 && quality["negative_feedback_rate"] as? Double == 0.5)
            let cost = try #require(status.dictionary("cost"))
            #expect(cost["tokens_in"] as? Int == 1000 && cost["tokens_out"] as? Int == 200 && abs((cost["total_usd"] as? Double ?? 0) - 0.02) < 1e-12)
            let safety = try #require(status.dictionary("safety"))
            #expect(safety["flagged"] as? Int == 2 && safety["flagged_rate"] as? Double == 0.2)
            #expect(status.dictionary("data")?["features"] as? [String] == ["store"])
            let week = try #require(try await client.call(.get, "/api/v1/systems/\(id)/monitoring/status?window=7d").body.dictionary("status"))
            #expect(week.dictionary("performance")?["requests"] as? Int == 11)
            try await client.expectError(
                .get, "/api/v1/systems/\(id)/monitoring/status?window=soon", status: .badRequest, code: "INVALID_PARAMETER_VALUE")
        }
    }

    @Test("Retention is a compliance decision, audited, and deletes older events", arguments: TestEngine.available)
    func retention(engine: TestEngine) async throws {
        try await withApplication(engine) { client, services in
            let id = try await Self.system(client)
            let compliance = try await services.identity.createUser(name: "cora", role: .compliance, actor: IdentityService.bootstrap).token
            let contributor = try await services.identity.createUser(name: "carl", role: .contributor, actor: IdentityService.bootstrap).token
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            let events = [now - 10 * 86_400_000, now - 86_400_000, now].enumerated().map { #"{"request_id": "e\#($0)", "time": \#($1)}"# }
            _ = try await client.call(.post, "/api/v1/systems/\(id)/events", bytes: ByteBuffer(string: events.joined(separator: "\n")))
            #expect(try await client.call(.get, "/api/v1/systems/\(id)/monitoring").body.dictionary("monitoring")?["retention_days"] as? Int == 30)
            try await client.expectError(
                .put, "/api/v1/systems/\(id)/monitoring", json: #"{"retention_days": 7}"#, status: .unauthorized, code: "UNAUTHENTICATED")
            try await client.execute(
                uri: "/api/v1/systems/\(id)/monitoring", method: .put, headers: Self.bearer(contributor),
                body: ByteBuffer(string: #"{"retention_days": 7}"#)
            ) { response in #expect(response.status == .forbidden) }
            try await client.execute(
                uri: "/api/v1/systems/\(id)/monitoring", method: .put, headers: Self.bearer(compliance),
                body: ByteBuffer(string: #"{"retention_days": 0}"#)
            ) { response in #expect(response.status == .badRequest) }
            try await client.execute(
                uri: "/api/v1/systems/\(id)/monitoring", method: .put, headers: Self.bearer(compliance),
                body: ByteBuffer(string: #"{"retention_days": 7}"#)
            ) { response in #expect(response.status == .ok, "\(String(buffer: response.body))") }
            let remaining = try await services.storage.database.read { db in
                try await db.raw("SELECT request_id FROM inference_events ORDER BY request_id").all().map {
                    try $0.decode(column: "request_id", as: String.self)
                }
            }
            #expect(remaining == ["e1", "e2"])
            let audited = try await services.storage.database.read { db in
                try await db.raw("SELECT action FROM audit_events WHERE action LIKE 'monitoring%'").all().map {
                    try $0.decode(column: "action", as: String.self)
                }
            }
            #expect(audited.contains("monitoring.settings"))
        }
    }

    /// The retailer's demand model: a reference from "2019" data, then a "2020" window where demand and the store
    /// mix moved. Drift is named per feature; a new reference from the new data settles it.
    @Test("Drift of a window of events from the reference profile, per feature, until a new reference", arguments: TestEngine.available)
    func driftFromReference(engine: TestEngine) async throws {
        try await withApplication(engine) { client, _ in
            let id = try await Self.system(client)
            var generator = SeededGenerator(seed: 7)
            func rows(_ count: Int, shifted: Bool) -> [(units: Double, price: Double, store: String)] {
                (0..<count).map { _ in
                    let base = Double.random(in: 0..<1, using: &generator)
                    let units = shifted ? 40 + 30 * base : 100 + 30 * base
                    let stores = shifted ? ["north", "south", "online"] : ["north", "south", "east"]
                    return (
                        units.rounded(), 5 + Double(Int.random(in: 0..<300, using: &generator)) / 100,
                        stores[Int.random(in: 0..<3, using: &generator)]
                    )
                }
            }
            func csv(_ rows: [(units: Double, price: Double, store: String)]) -> ByteBuffer {
                ByteBuffer(string: "units,price,store\n" + rows.map { "\($0.units),\($0.price),\($0.store)\n" }.joined())
            }
            #expect(
                try await client.call(.post, "/api/v1/systems/\(id)/datasets?name=demand-2019", bytes: csv(rows(2000, shifted: false))).status
                    == .created)
            try await client.expectError(.get, "/api/v1/systems/\(id)/drift", status: .notFound, code: "RESOURCE_DOES_NOT_EXIST")
            let reference = try await client.call(.put, "/api/v1/systems/\(id)/reference", json: #"{"dataset": "demand-2019"}"#)
            #expect(reference.status == .ok, "\(String(buffer: reference.raw))")
            let profile = try #require(reference.body.dictionary("reference"))
            #expect(profile["version"] as? Int == 1 && profile.string("source") == "demand-2019@v1")
            #expect(
                profile.dictionary("features")?.dictionary("store")?.dictionary("categories")?.object.keys.sorted() == ["east", "north", "south"])
            #expect(profile.dictionary("features")?.dictionary("units")?.string("kind") == "numeric")

            let now = Int64(Date().timeIntervalSince1970 * 1000)
            let window = rows(1500, shifted: true).enumerated().map { index, row in
                #"{"request_id": "e\#(index)", "time": \#(now - 1000), "features": {"units": \#(row.units), "price": \#(row.price), "store": "\#(row.store)"}, "prediction": 1}"#
            }
            _ = try await client.call(.post, "/api/v1/systems/\(id)/events", bytes: ByteBuffer(string: window.joined(separator: "\n")))
            let drift = try #require(try await client.call(.get, "/api/v1/systems/\(id)/drift?window=1h").body.dictionary("drift"))
            let features = drift.array("features")
            let byName = Dictionary(uniqueKeysWithValues: features.map { ($0.string("feature") ?? "", $0) })
            #expect(byName["units"]?["drifted"] as? Bool == true && (byName["units"]?["statistic"] as? Double ?? 0) > 1)
            #expect(byName["store"]?["drifted"] as? Bool == true && byName["store"]?["new_categories"] as? [String] == ["online"])
            #expect(byName["store"]?["vanished_categories"] as? [String] == ["east"])
            #expect(byName["price"]?["drifted"] as? Bool == false)
            #expect(drift["drifted_features"] as? [String] == ["units", "store"] && drift["drifted"] as? Bool == true)
            let status = try #require(try await client.call(.get, "/api/v1/systems/\(id)/monitoring/status?window=1h").body.dictionary("status"))
            #expect(status.dictionary("data")?.dictionary("drift")?["drifted_features"] as? [String] == ["units", "store"])
            try await client.expectError(.get, "/api/v1/systems/\(id)/drift?method=ks", status: .badRequest, code: "INVALID_PARAMETER_VALUE")

            // Retrained on the new data: the same window no longer drifts.
            _ = try await client.call(.post, "/api/v1/systems/\(id)/datasets?name=demand-2020", bytes: csv(rows(2000, shifted: true)))
            let renewed = try await client.call(
                .put, "/api/v1/systems/\(id)/reference", json: #"{"dataset": "demand-2020", "features": ["units", "store"]}"#)
            #expect(renewed.body.dictionary("reference")?["version"] as? Int == 2)
            let settled = try #require(try await client.call(.get, "/api/v1/systems/\(id)/drift?window=1h").body.dictionary("drift"))
            #expect(settled["drifted"] as? Bool == false && settled.array("features").count == 2, "\(settled.object)")
        }
    }
}

/// A small deterministic generator (SplitMix64), so test data is the same on every run.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}
