import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import StewardCore
import StewardServer
import StewardStore
import StewardTestSupport
import Testing

/// The traffic plane over real HTTP: Steward in front of small model servers on loopback that speak MLflow's
/// pyfunc protocol (each answers a fixed prediction, or fails), deployments created, served, measured and
/// decided through the routes.
@Suite("Deployment routes")
struct DeploymentRouteTests {
    /// What a stand-in model server does with a request.
    enum Behaviour: Sendable {
        case predict(Int)
        case fail
        /// Answers after twelve seconds.
        case stall
    }

    /// Runs one pyfunc server per behaviour on 127.0.0.1 (each `POST /invocations`) for the duration of `body`.
    static func withModelServers(_ behaviours: [Behaviour], _ body: @escaping @Sendable ([String]) async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            var urls: [String] = []
            for behaviour in behaviours {
                let router = Router()
                router.post("invocations") { request, _ -> Response in
                    _ = try await request.body.collect(upTo: 1 << 20)
                    switch behaviour {
                    case .predict(let value):
                        return Response(
                            status: .ok, headers: [.contentType: "application/json"],
                            body: ResponseBody(byteBuffer: ByteBuffer(string: #"{"predictions": [\#(value)]}"#)))
                    case .stall:
                        try await Task.sleep(for: .seconds(12))
                        return Response(status: .ok, body: ResponseBody(byteBuffer: ByteBuffer(string: #"{"predictions": [9]}"#)))
                    case .fail:
                        return Response(
                            status: .internalServerError, headers: [.contentType: "application/json"],
                            body: ResponseBody(byteBuffer: ByteBuffer(string: #"{"error_code": "INTERNAL_ERROR", "message": "model crashed"}"#)))
                    }
                }
                let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
                let application = Application(
                    router: router, configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)),
                    onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) }, logger: TestStorage.logger)
                group.addTask { try await application.runService() }
                var iterator = ports.makeAsyncIterator()
                urls.append("http://127.0.0.1:\(await iterator.next() ?? 0)/invocations")
            }
            try await body(urls)
            group.cancelAll()
        }
    }

    /// A policy whose low tier needs nothing and whose medium tier needs a passed gate, so that promotion is free
    /// for a low-tier system and a medium-tier challenger needs its gate.
    static let policy = """
        version: 1
        protected_aliases: [production]
        controls:
          evaluation_gate_passed: {check: gate, gate: all}
          staged_rollout: {check: rollout}
        serving:
          challenger: [evaluation_gate_passed]
        tiers:
          low: [staged_rollout]
          medium: [evaluation_gate_passed]
          high: [evaluation_gate_passed]
          critical: [evaluation_gate_passed]
        """

    /// A low-tier system with `scorer` versions 1 to `versions` linked, version 1 in production.
    static func system(_ client: AdminClient, _ services: TrackingServices, versions: Int = 3) async throws -> String {
        let put = try await client.execute(
            uri: "/api/v1/policy", method: .put, headers: [.contentType: "application/yaml"], body: ByteBuffer(string: policy)
        ) {
            $0.status
        }
        #expect(put == .ok)
        let experiment = try await services.experiments.createExperiment(name: "e", artifactLocation: nil, tags: [])
        let run = try await services.runs.createRun(experimentID: experiment, userID: "trainer", runName: nil, startTime: nil, tags: []).info.runID
        _ = try await services.registry.createRegisteredModel(name: "scorer", description: nil, tags: [], actor: "carl")
        for _ in 1...versions {
            _ = try await services.registry.createModelVersion(
                name: "scorer", source: "runs:/\(run)/model", runID: run, modelID: nil, runLink: nil, description: nil, tags: [], actor: "carl")
        }
        let created = try await client.call(.post, "/api/v1/systems", json: #"{"name": "pricing", "purpose": "Prices", "models": ["scorer"]}"#)
        let id = try #require(created.body.dictionary("system")?.string("id"), "\(String(buffer: created.raw))")
        let promoted = try await client.call(
            .post, "/api/v1/systems/\(id)/promote", json: #"{"model": "scorer", "version": "1", "alias": "production"}"#)
        #expect(promoted.status == .ok, "\(String(buffer: promoted.raw))")
        return id
    }

    static func serve(
        _ client: AdminClient, _ system: String, unit: String? = nil, body: String = #"{"dataframe_split": {"columns": ["x"], "data": [[1]]}}"#
    ) async throws -> (status: HTTPResponse.Status, arm: String?, version: String?, requestID: String?, body: String) {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let unit { headers[HTTPField.Name("X-Steward-Unit")!] = unit }
        // Without the admin's token, as a scoring client calls: on SQLite the serving fast path answers.
        let response = try await client.client.execute(
            uri: "/serve/\(system)/invocations", method: .post, headers: headers, body: ByteBuffer(string: body))
        return (
            response.status, response.headers[HTTPField.Name("X-Steward-Arm")!], response.headers[HTTPField.Name("X-Steward-Model-Version")!],
            response.headers[HTTPField.Name("X-Steward-Request-Id")!], String(buffer: response.body)
        )
    }

    /// Sends `requests` on a new connection and returns everything the server sends until it closes it.
    static func exchange(port: Int, _ requests: String) async throws -> String {
        let connection = try RawConnection(port: port)
        try connection.send(requests)
        return try await connection.receive(seconds: 10, untilClosed: true)
    }

    /// Unit keys that the deployment's split puts `perArm` on each arm, so that the observed split is the weights
    /// exactly: a random split of a few hundred units trips the sample-ratio check about once in a thousand runs.
    static func balancedUnits(_ services: TrackingServices, deployment id: String, prefix: String, perArm: Int) async throws -> [String] {
        let deployment = try await services.deployments.deployment(id: id)
        let split = try deployment.split()
        var counts = Array(repeating: 0, count: deployment.arms.count)
        var units: [String] = []
        var index = 0
        while units.count < perArm * counts.count {
            let unit = "\(prefix)\(index)"
            let arm = split.arm(unit: unit)
            if counts[arm] < perArm {
                counts[arm] += 1
                units.append(unit)
            }
            index += 1
        }
        return units
    }

    static func arms(_ a: String, _ b: String, _ weights: (Double, Double)) -> String {
        #"[{"model": "scorer", "version": "1", "endpoint": "\#(a)", "weight": \#(weights.0)}, "#
            + #"{"model": "scorer", "version": "2", "endpoint": "\#(b)", "weight": \#(weights.1)}]"#
    }

    /// The live server (its background services running), called as an admin.
    static func live(
        _ engine: TestEngine, servingTimeout: Duration = .seconds(30),
        _ body: @escaping @Sendable (AdminClient, TrackingServices) async throws -> Void
    ) async throws {
        try await TestStorage.with(engine, started: false) { storage async throws in
            // With a webhook secret, so that a rollback notifies the owner's webhooks (model servers' hosts stand in).
            let application = buildApplication(
                configuration: ServerConfiguration(endpointHosts: ["127.0.0.1"], webhookSecret: "deployment-test", servingTimeout: servingTimeout),
                storage: storage, logger: TestStorage.logger)
            try await application.test(.live) { client in
                let services = TrackingServices(storage)
                let token = try await services.identity.createUser(name: "ada", role: .admin, actor: IdentityService.bootstrap).token
                try await body(AdminClient(client: client, token: token), services)
            }
        }
    }

    /// A test client that sends an admin's token with every request.
    struct AdminClient: Sendable {
        let client: any TestClientProtocol
        let token: String

        func execute<T>(
            uri: String, method: HTTPRequest.Method, headers: HTTPFields = [:], body: ByteBuffer? = nil, _ read: (TestResponse) throws -> T
        ) async throws -> T {
            var headers = headers
            headers[.authorization] = "Bearer \(token)"
            return try read(try await client.execute(uri: uri, method: method, headers: headers, body: body))
        }

        @discardableResult
        func call(_ method: HTTPRequest.Method, _ uri: String, json: String? = nil) async throws -> (
            status: HTTPResponse.Status, body: JSONBody, raw: ByteBuffer
        ) {
            try await execute(uri: uri, method: method, headers: [.contentType: "application/json"], body: json.map { ByteBuffer(string: $0) }) {
                ($0.status, (try? JSONBody($0.body)) ?? JSONBody(object: [:]), $0.body)
            }
        }
    }

    @Test("A canary splits by unit, stickily; every request is an event of its arm; bad input changes nothing", arguments: TestEngine.available)
    func canary(engine: TestEngine) async throws {
        try await Self.withModelServers([.predict(0), .predict(1)]) { urls in
            try await Self.live(engine) { client, services in
                let id = try await Self.system(client, services)
                let path = "/api/v1/systems/\(id)/deployments"
                // Refused, nothing written.
                for (json, status) in [
                    (#"{"mode": "canary", "arms": \#(Self.arms(urls[0], urls[1], (90, 5)))}"#, HTTPResponse.Status.badRequest),
                    (
                        #"{"mode": "canary", "arms": [{"model": "scorer", "version": "1", "endpoint": "\#(urls[0])", "weight": 50}, {"model": "scorer", "version": "1", "endpoint": "\#(urls[1])", "weight": 50}]}"#,
                        .badRequest
                    ),
                    (#"{"mode": "canary", "arms": \#(Self.arms(urls[0], urls[1], (95, 5))), "weight": 5}"#, .badRequest),
                    (#"{"mode": "canary", "arms": \#(Self.arms(urls[0], "http://models.example/invocations", (95, 5)))}"#, .forbidden),
                    (#"{"mode": "single", "arms": [{"model": "scorer", "version": "2", "endpoint": "\#(urls[1])", "weight": 100}]}"#, .forbidden),
                    (#"{"mode": "canary", "arms": \#(Self.arms(urls[0], urls[1], (0, 100)))}"#, .forbidden),
                    (#"{"mode": "blue-green", "arms": \#(Self.arms(urls[0], urls[1], (95, 5)))}"#, .badRequest),
                ] {
                    let refused = try await client.call(.post, path, json: json)
                    #expect(refused.status == status, "\(json): \(String(buffer: refused.raw))")
                }
                #expect(try await services.count("deployments") == 0)
                #expect(
                    try await client.call(.post, "/api/v1/systems/sys-nope/deployments", json: #"{"mode": "single", "arms": []}"#).status != .created)
                let host = try await client.call(
                    .post, path, json: #"{"mode": "canary", "arms": \#(Self.arms(urls[0], "http://models.example/invocations", (95, 5)))}"#)
                #expect(host.body.string("message")?.contains("--allow-endpoint-host models.example") == true, "\(String(buffer: host.raw))")
                #expect(try await Self.serve(client, id).status == .notFound, "no deployment yet")

                let created = try await client.call(
                    .post, path, json: #"{"mode": "canary", "arms": \#(Self.arms(urls[0], urls[1], (90, 10))), "unit_field": "store_id"}"#)
                #expect(created.status == .created, "\(String(buffer: created.raw))")
                let deployment = try #require(created.body.dictionary("deployment")?.string("id"))

                // Each unit's arm is its bucket's under the deployment's salt, whichever request and replica asks.
                let salt = try await services.storage.database.read { db in
                    try await db.raw("SELECT salt FROM deployments WHERE id = \(bind: deployment)").first()?.decode(column: "salt", as: String.self)
                }
                let split = try TrafficSplit(percentages: [90, 10], salt: try #require(salt))
                var armOfUnit: [String: String] = [:]
                var challenger = 0
                for request in 0..<600 {
                    let unit = "store-\(request % 300)"
                    let served = try await Self.serve(client, id, unit: unit)
                    #expect(served.status == .ok && served.requestID != nil)
                    let arm = try #require(served.arm)
                    #expect(armOfUnit[unit, default: arm] == arm, "unit \(unit) moved between arms")
                    #expect(arm == (split.arm(unit: unit) == 0 ? "champion" : "challenger"), "unit \(unit)")
                    armOfUnit[unit] = arm
                    #expect(served.body.contains(arm == "champion" ? "[0]" : "[1]") && served.version == (arm == "champion" ? "1" : "2"))
                    if arm == "challenger" { challenger += 1 }
                }
                // 10% of 300 units, each asked twice, is 60 requests; the split's evenness over salts is TrafficSplitTests'.
                #expect(challenger > 0 && challenger < 600, "\(challenger)")
                // The unit field of the row is the key when no header names one.
                let byField = try await Self.serve(client, id, body: #"{"dataframe_records": [{"store_id": "store-7", "x": 1}]}"#)
                #expect(byField.arm == armOfUnit["store-7"])

                for bad in [#"{"rows": [[1]]}"#, #"[1, 2]"#, #"{"instances": [1], "inputs": [1]}"#, "not json"] {
                    let refused = try await Self.serve(client, id, body: bad)
                    #expect(refused.status == .badRequest && refused.body.contains("message"), "\(bad): \(refused.body)")
                }
                #expect(try await Self.serve(client, "no-such-system").status == .notFound)

                let shown = try await client.call(.get, "/api/v1/deployments/\(deployment)")
                let arms = try #require(shown.body.dictionary("deployment")).array("arms")
                let counts = arms.map { $0.dictionary("counts")?["requests"] as? Int ?? -1 }
                #expect(counts.reduce(0, +) == 601 && counts[1] == challenger + (byField.arm == "challenger" ? 1 : 0), "\(counts)")
                #expect(arms[0].dictionary("metrics")?["error_rate"] as? Double == 0)
                #expect(shown.body.dictionary("deployment")?.dictionary("decision")?.string("action") == "hold")

                // Full traffic for a version without a protected alias is promotion, refused here; 0 takes effect at once.
                #expect(try await client.call(.patch, "/api/v1/deployments/\(deployment)", json: #"{"weights": [0, 100]}"#).status == .forbidden)
                #expect(try await client.call(.patch, "/api/v1/deployments/\(deployment)", json: #"{"weights": [100, 0]}"#).status == .ok)
                for request in 0..<50 {
                    #expect(try await Self.serve(client, id, unit: "store-\(request)").arm == "champion")
                }
                let audit = try await services.audit.events(AuditQuery(systemID: id), actor: .user("cora", role: .compliance)).map(\.action)
                // Four refused creations and a refused weighting are audited beside what was done.
                #expect(
                    audit.filter { $0.hasPrefix("deployment.") } == Array(repeating: "deployment.create", count: 5) + [
                        "deployment.weights", "deployment.weights",
                    ],
                    "\(audit)")
            }
        }
    }

    @Test(
        "Scoring clients and token holders get the same answer; pipelined requests keep their order; dead or slow model servers are 502 and 504",
        arguments: TestEngine.available)
    func servingPaths(engine: TestEngine) async throws {
        try await Self.withModelServers([.predict(0), .stall]) { urls in
            try await Self.live(engine, servingTimeout: .seconds(3)) { client, services in
                let id = try await Self.system(client, services)
                let path = "/api/v1/systems/\(id)/deployments"
                let single = #"{"mode": "single", "arms": [{"model": "scorer", "version": "1", "endpoint": "\#(urls[0])", "weight": 100}]}"#
                let primary = try #require(try await client.call(.post, path, json: single).body.dictionary("deployment")?.string("id"))
                // On SQLite a request without credentials is answered by the fast path, one with a token by the router.
                let open = try await Self.serve(client, id, unit: "u1")
                let body = #"{"dataframe_split": {"columns": ["x"], "data": [[1]]}}"#
                let routed = try await client.execute(
                    uri: "/serve/\(id)/invocations", method: .post,
                    headers: [.contentType: "application/json", HTTPField.Name("X-Steward-Unit")!: "u1"], body: ByteBuffer(string: body)
                ) { response in
                    (
                        response.status, response.headers[HTTPField.Name("X-Steward-Arm")!],
                        response.headers[HTTPField.Name("X-Steward-Model-Version")!], String(buffer: response.body)
                    )
                }
                #expect(open.status == .ok && open.body == #"{"predictions": [0]}"#)
                #expect(routed.0 == open.status && routed.1 == open.arm && routed.2 == open.version && routed.3 == open.body)

                // Three requests in one write: scoring, a route of the router, scoring with `Connection: close`.
                let port = try #require(client.client.port)
                func scoring(_ request: String, close: Bool = false) -> String {
                    "POST /serve/\(id)/invocations HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nX-Steward-Request-Id: \(request)\r\n"
                        + (close ? "Connection: close\r\n" : "") + "Content-Length: \(body.utf8.count)\r\n\r\n\(body)"
                }
                let answers = try await Self.exchange(
                    port: port, scoring("first") + "GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n" + scoring("third", close: true))
                let first = try #require(answers.range(of: "x-steward-request-id: first", options: .caseInsensitive)?.lowerBound)
                let health = try #require(answers.range(of: "\r\n\r\nOK")?.lowerBound, "\(answers)")
                let third = try #require(answers.range(of: "x-steward-request-id: third", options: .caseInsensitive)?.lowerBound)
                #expect(first < health && health < third, "\(answers)")
                #expect(answers.components(separatedBy: "HTTP/1.1 200").count == 4, "\(answers)")
                // What follows a request that closes the connection is not served, nor recorded.
                let closed = try await Self.exchange(
                    port: port, "GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n" + scoring("ignored"))
                #expect(closed.hasSuffix("\r\n\r\nOK") && !closed.contains("ignored"), "\(closed)")
                let served = try #require(try await client.call(.get, "/api/v1/deployments/\(primary)").body.dictionary("deployment"))
                #expect(served.array("arms").first?.dictionary("counts")?["requests"] as? Int == 4, "\(served)")

                // A model server that is not there is a 502, one that does not answer in time a 504; both are failed events.
                for (endpoint, status) in [("http://127.0.0.1:1/invocations", HTTPResponse.Status.badGateway), (urls[1], .gatewayTimeout)] {
                    let arms = #"[{"model": "scorer", "version": "1", "endpoint": "\#(endpoint)", "weight": 100}]"#
                    let created = try await client.call(.post, path, json: #"{"mode": "single", "arms": \#(arms)}"#)
                    let deployment = try #require(created.body.dictionary("deployment")?.string("id"), "\(String(buffer: created.raw))")
                    let started = ContinuousClock.now
                    let failed = try await Self.serve(client, id)
                    #expect(failed.status == status && failed.body.contains("model server of arm 'primary'"), "\(failed.body)")
                    #expect(ContinuousClock.now - started < .seconds(9))
                    let shown = try await client.call(.get, "/api/v1/deployments/\(deployment)").body.dictionary("deployment")
                    let counts = shown?.array("arms").first?.dictionary("counts")
                    #expect(counts?["requests"] as? Int == 1 && counts?["failures"] as? Int == 1, "\(String(describing: counts))")
                }
            }
        }
    }

    @Test(
        "A failing challenger is rolled back with an incident; a winning one graduates through the promotion decision",
        arguments: TestEngine.available)
    func decisions(engine: TestEngine) async throws {
        try await Self.withModelServers([.predict(0), .fail, .predict(1)]) { urls in
            try await Self.live(engine) { client, services in
                let id = try await Self.system(client, services)
                // This test is about errors and graduation; latency on a loaded test machine is left out of it.
                let analysis = #""analysis": {"steps": [50, 100], "minimum_units": 20, "max_latency_ratio": 1000}"#
                let created = try await client.call(
                    .post, "/api/v1/systems/\(id)/deployments",
                    json: #"{"mode": "canary", "arms": \#(Self.arms(urls[0], urls[1], (50, 50))), \#(analysis)}"#)
                let failing = try #require(created.body.dictionary("deployment")?.string("id"), "\(String(buffer: created.raw))")
                let rules = try await client.execute(
                    uri: "/api/v1/systems/\(id)/alerts/rules", method: .put, headers: [.contentType: "application/yaml"],
                    body: ByteBuffer(string: "window: 1h\nconditions: ['error_rate <= 0.5']\nwebhooks: [\(urls[0])/owner-hook]\n")
                ) { $0.status }
                #expect(rules == .ok)
                var failures = 0
                for unit in try await Self.balancedUnits(services, deployment: failing, prefix: "u", perArm: 40) {
                    let served = try await Self.serve(client, id, unit: unit)
                    if served.arm == "challenger" {
                        #expect(served.status == .internalServerError && served.body.contains("model crashed"))
                        failures += 1
                    }
                }
                #expect(failures == 40)
                let decided = try await client.call(.post, "/api/v1/deployments/\(failing)/analysis")
                let rolledBack = try #require(decided.body.dictionary("deployment"), "\(String(buffer: decided.raw))")
                #expect(rolledBack.string("state") == "rolled_back" && rolledBack.array("arms").map { $0["weight"] as? Double } == [100, 0])
                #expect(rolledBack.string("reason")?.contains("error rate") == true, "\(rolledBack.string("reason") ?? "")")
                let incidents = try await services.incidents.incidents(systemID: id)
                #expect(
                    incidents.count == 1 && incidents.first?.version == 2 && incidents.first?.timeline.contains { $0.text == "roll_back" } == true)
                // Opened with its playbook steps in the rollback's own transaction, the owner's webhook notified.
                #expect(
                    incidents.first?.timeline.map { "\($0.kind) \($0.text)" } == [
                        "opened Deployment \(failing) rolled back", "step roll_back", "step notify_owner", "note Sent to 1 webhook.",
                    ])
                for request in 0..<20 { #expect(try await Self.serve(client, id, unit: "u\(request)").arm == "champion") }
                // The chain's times rise with its sequence through the rollback's entries (incident, then deployment).
                let chain = try await services.audit.events(AuditQuery(systemID: id), actor: .user("cora", role: .compliance))
                    .sorted { $0.sequence < $1.sequence }
                #expect(Array(chain.map(\.action).suffix(2)) == ["incident.open", "deployment.rollback"], "\(chain.map(\.action))")
                #expect(zip(chain, chain.dropFirst()).allSatisfy { $0.time <= $1.time }, "\(chain.map { "\($0.action) \($0.time)" })")

                // Version 3 answers well: its canary graduates at 50% → 100%, and takes the production alias.
                let healthy =
                    #"[{"model": "scorer", "version": "1", "endpoint": "\#(urls[0])", "weight": 50}, {"model": "scorer", "version": "3", "endpoint": "\#(urls[2])", "weight": 50}]"#
                let second = try await client.call(
                    .post, "/api/v1/systems/\(id)/deployments", json: #"{"mode": "canary", "arms": \#(healthy), \#(analysis)}"#)
                let hastyID = try #require(second.body.dictionary("deployment")?.string("id"), "\(String(buffer: second.raw))")
                for unit in try await Self.balancedUnits(services, deployment: hastyID, prefix: "w", perArm: 40) {
                    #expect(try await Self.serve(client, id, unit: unit).status == .ok)
                }
                // Promoting it by hand skips the staged rollout, which is observed, not declared: refused.
                let early = try await client.call(.post, "/api/v1/deployments/\(hastyID)/promote")
                #expect(
                    early.status == .forbidden && early.body.string("message")?.contains("staged_rollout") == true, "\(String(buffer: early.raw))")
                // Decided on 20 units a step, the win proves too little: the policy's floor (100 units a step) refuses
                // the graduation, and the deployment holds and says why.
                let hasty = try await client.call(.post, "/api/v1/deployments/\(hastyID)/analysis").body.dictionary("deployment")
                #expect(hasty?.string("won_arm") == "challenger" && hasty?.string("state") == "active")
                #expect(
                    hasty?.string("reason")?.contains("Graduation refused") == true
                        && hasty?.string("reason")?.contains("fewer than the 100") == true,
                    "\(hasty?.string("reason") ?? "")")
                // Looked at again with the control still missing, it is not asked again (each refusal is an audit entry).
                let compliance = Principal.user("cora", role: .compliance)
                let lastEntry = try await services.audit.events(AuditQuery(systemID: id), actor: compliance).map(\.sequence).max()
                let again = try await client.call(.post, "/api/v1/deployments/\(hastyID)/analysis").body.dictionary("deployment")
                #expect(again?.string("reason") == hasty?.string("reason") && again?.string("state") == "active")
                #expect(try await services.audit.events(AuditQuery(systemID: id), actor: compliance).map(\.sequence).max() == lastEntry)
                // At 100 units a step, the same challenger graduates.
                let stagedAnalysis = #""analysis": {"steps": [50, 100], "minimum_units": 100, "max_latency_ratio": 1000}"#
                let third = try await client.call(
                    .post, "/api/v1/systems/\(id)/deployments", json: #"{"mode": "canary", "arms": \#(healthy), \#(stagedAnalysis)}"#)
                let winning = try #require(third.body.dictionary("deployment")?.string("id"), "\(String(buffer: third.raw))")
                for unit in try await Self.balancedUnits(services, deployment: winning, prefix: "v", perArm: 150) {
                    #expect(try await Self.serve(client, id, unit: unit).status == .ok)
                }
                let graduated = try await client.call(.post, "/api/v1/deployments/\(winning)/analysis")
                #expect(graduated.body.dictionary("deployment")?.string("won_arm") == "challenger")
                // Each p-value the analysis stored is kept, with the step it was taken at: the system's page draws them.
                let pValues = try await services.deployments.pValues(id: winning)
                #expect(!pValues.isEmpty && pValues.allSatisfy { (0...1).contains($0.pValue) && $0.challengerWeight > 0 })
                #expect(pValues.map(\.time) == pValues.map(\.time).sorted())
                let page = try await client.execute(uri: "/ui/systems/\(id)", method: .get) { String(buffer: $0.body) }
                #expect(page.contains("canary deployment \(winning)") && page.contains("Sequential p-value") == (pValues.count > 1))
                #expect(hastyID != winning)
                let controls = try await client.call(.get, "/api/v1/systems/\(id)/controls?model=scorer&version=3").body.array("controls")
                #expect(
                    controls.first { $0.string("name") == "staged_rollout" }?.string("detail")
                        == "observed: the version won the staged rollout of deployment \(winning)")
                #expect(
                    graduated.body.dictionary("deployment")?.string("state") == "graduated",
                    "\(graduated.body.dictionary("deployment")?.string("reason") ?? "")")
                let model = try await services.registry.registeredModel(name: "scorer")
                #expect(model.aliases.contains { $0.alias == "production" && $0.version == 3 })
                for request in 0..<20 { #expect(try await Self.serve(client, id, unit: "w\(request)").version == "3") }
                let listed = try await client.call(.get, "/api/v1/systems/\(id)/deployments")
                #expect(listed.body.array("deployments").map { $0.string("state") } == ["graduated", "ended", "ended"])

                // Removing the champion's alias first does not make version 2 a "first release", and its lost canary
                // is no win: the staged rollout still stands in its way.
                let removed = try await client.call(
                    .delete, "/api/2.0/mlflow/registered-models/alias", json: #"{"name": "scorer", "alias": "production"}"#)
                #expect(removed.status == .ok, "\(String(buffer: removed.raw))")
                let versionTwo = try await client.call(.get, "/api/v1/systems/\(id)/controls?model=scorer&version=2").body.array("controls")
                let staged = versionTwo.first { $0.string("name") == "staged_rollout" }
                #expect(staged?["satisfied"] as? Bool == false, "\(versionTwo)")
            }
        }
    }

    @Test("Rolling back an A/B test of several challengers that none won needs the arm the incident is about", arguments: TestEngine.available)
    func rollbackOfSeveralChallengers(engine: TestEngine) async throws {
        try await Self.withModelServers([.predict(0), .predict(1), .predict(2)]) { urls in
            try await Self.live(engine) { client, services in
                let id = try await Self.system(client, services)
                let arms = (1...3).map {
                    #"{"model": "scorer", "version": "\#($0)", "endpoint": "\#(urls[$0 - 1])", "weight": \#($0 == 1 ? 34 : 33)}"#
                }
                let created = try await client.call(
                    .post, "/api/v1/systems/\(id)/deployments", json: #"{"mode": "ab", "arms": [\#(arms.joined(separator: ", "))]}"#)
                let deployment = try #require(created.body.dictionary("deployment"), "\(String(buffer: created.raw))")
                let names = deployment.array("arms").compactMap { $0["name"] as? String }
                let path = "/api/v1/deployments/\(try #require(deployment.string("id")))/rollback"
                for body in [#"{"reason": "worse"}"#, #"{"reason": "worse", "arm": "\#(names[0])"}"#] {
                    let refused = try await client.call(.post, path, json: body)
                    #expect(refused.status == .badRequest, "\(String(buffer: refused.raw))")
                }
                #expect(try await services.incidents.incidents(systemID: id).isEmpty)
                let rolledBack = try await client.call(.post, path, json: #"{"reason": "worse", "arm": "\#(names[2])"}"#)
                #expect(rolledBack.body.dictionary("deployment")?.string("state") == "rolled_back", "\(String(buffer: rolledBack.raw))")
                let incidents = try await services.incidents.incidents(systemID: id)
                #expect(incidents.count == 1 && incidents.first?.version == 3)
            }
        }
    }

    @Test(
        "Decided rollouts stay decided: a rollback gives back the alias the winner took, a rolled-back shadow gets no copies, weights of a decided rollout are refused; a step the policy now refuses holds; one version is one arm however it is written",
        arguments: TestEngine.available)
    func decidedRollouts(engine: TestEngine) async throws {
        try await Self.withModelServers([.predict(0), .predict(1)]) { urls in
            try await Self.live(engine) { client, services in
                let id = try await Self.system(client, services)
                // Two protected aliases, the champion holding the second; low tier needs nothing to promote.
                let policy = Self.policy.replacingOccurrences(
                    of: "protected_aliases: [production]", with: "protected_aliases: [production, champion]"
                )
                .replacingOccurrences(of: "low: [staged_rollout]", with: "low: []")
                #expect(try await client.execute(uri: "/api/v1/policy", method: .put, body: ByteBuffer(string: policy)) { $0.status } == .ok)
                let held = try await client.call(
                    .post, "/api/v1/systems/\(id)/promote", json: #"{"model": "scorer", "version": "1", "alias": "champion"}"#)
                #expect(held.status == .ok, "\(String(buffer: held.raw))")

                // An arm of another system's model is a 400; of a model linked to no system, a 403 that says how to link it.
                let run = try await services.runs.createRun(
                    experimentID: try await services.experiments.createExperiment(name: "others", artifactLocation: nil, tags: []), userID: "t",
                    runName: nil, startTime: nil, tags: []
                ).info.runID
                for name in ["theirs", "loose"] {
                    _ = try await services.registry.createRegisteredModel(name: name, description: nil, tags: [], actor: "carl")
                    _ = try await services.registry.createModelVersion(
                        name: name, source: "runs:/\(run)/model", runID: run, modelID: nil, runLink: nil, description: nil, tags: [], actor: "carl")
                }
                #expect(
                    try await client.call(.post, "/api/v1/systems", json: #"{"name": "other", "purpose": "Other", "models": ["theirs"]}"#).status
                        == .created)
                for (model, status, words) in [
                    ("theirs", HTTPResponse.Status.badRequest, "belongs to system"), ("loose", .forbidden, "is not linked"),
                ] {
                    let foreign =
                        #"[{"model": "scorer", "version": "1", "endpoint": "\#(urls[0])", "weight": 50}, {"model": "\#(model)", "version": "1", "endpoint": "\#(urls[1])", "weight": 50}]"#
                    let refused = try await client.call(.post, "/api/v1/systems/\(id)/deployments", json: #"{"mode": "ab", "arms": \#(foreign)}"#)
                    #expect(refused.status == status && refused.body.string("message")?.contains(words) == true, "\(String(buffer: refused.raw))")
                }
                let twice =
                    #"[{"model": "scorer", "version": "1", "endpoint": "\#(urls[0])", "weight": 50}, {"model": "scorer", "version": "01", "endpoint": "\#(urls[1])", "weight": 50}]"#
                let duplicate = try await client.call(.post, "/api/v1/systems/\(id)/deployments", json: #"{"mode": "ab", "arms": \#(twice)}"#)
                #expect(
                    duplicate.status == .badRequest && duplicate.body.string("message")?.contains("two arms") == true,
                    "\(String(buffer: duplicate.raw))")

                let canary = try await client.call(
                    .post, "/api/v1/systems/\(id)/deployments", json: #"{"mode": "canary", "arms": \#(Self.arms(urls[0], urls[1], (90, 10)))}"#)
                let canaryID = try #require(canary.body.dictionary("deployment")?.string("id"), "\(String(buffer: canary.raw))")
                let promoted = try await client.call(.post, "/api/v1/deployments/\(canaryID)/promote")
                #expect(promoted.body.dictionary("deployment")?.string("state") == "graduated", "\(String(buffer: promoted.raw))")
                // The champion held both protected aliases; the policy's first went to the winner.
                #expect(try await services.registry.registeredModel(name: "scorer").aliases.contains { $0.alias == "production" && $0.version == 2 })
                let rolledBack = try await client.call(.post, "/api/v1/deployments/\(canaryID)/rollback", json: #"{"reason": "worse in the shops"}"#)
                #expect(rolledBack.body.dictionary("deployment")?.string("state") == "rolled_back", "\(String(buffer: rolledBack.raw))")
                let aliases = try await services.registry.registeredModel(name: "scorer").aliases
                #expect(
                    Set(aliases.filter { $0.version == 1 }.map(\.alias)) == ["production", "champion"] && !aliases.contains { $0.version == 2 },
                    "\(aliases)")
                let weights = try await client.call(.patch, "/api/v1/deployments/\(canaryID)", json: #"{"weights": [50, 50]}"#)
                #expect(weights.status == .conflict && weights.body.string("message")?.contains("Create a new deployment") == true)
                #expect(
                    try await client.call(.get, "/api/v1/deployments/\(canaryID)").body.dictionary("deployment")?.array("arms").map {
                        $0["weight"] as? Double
                    } == [100, 0])

                // A shadow rolled back sends its arm nothing more.
                let shadow = try await client.call(
                    .post, "/api/v1/systems/\(id)/deployments", json: #"{"mode": "shadow", "arms": \#(Self.arms(urls[0], urls[1], (100, 0)))}"#)
                let shadowID = try #require(shadow.body.dictionary("deployment")?.string("id"), "\(String(buffer: shadow.raw))")
                #expect(try await client.call(.post, "/api/v1/deployments/\(shadowID)/rollback", json: #"{"reason": "noisy"}"#).status == .ok)
                for request in 0..<10 { #expect(try await Self.serve(client, id, unit: "s\(request)").arm == "champion") }
                try await Task.sleep(for: .milliseconds(300))
                let shown = try await client.call(.get, "/api/v1/deployments/\(shadowID)")
                #expect(
                    shown.body.dictionary("deployment")?.array("arms").last?.dictionary("counts")?["requests"] as? Int ?? 0 == 0,
                    "\(String(buffer: shown.raw))")

                // A canary whose next step the policy refuses once the tier is raised holds where it is.
                let steps = #""analysis": {"steps": [50, 60, 100], "minimum_units": 20, "max_latency_ratio": 1000}"#
                let stepping = try await client.call(
                    .post, "/api/v1/systems/\(id)/deployments",
                    json: #"{"mode": "canary", "arms": \#(Self.arms(urls[0], urls[1], (50, 50))), \#(steps)}"#)
                let steppingID = try #require(stepping.body.dictionary("deployment")?.string("id"), "\(String(buffer: stepping.raw))")
                for unit in try await Self.balancedUnits(services, deployment: steppingID, prefix: "t", perArm: 30) {
                    #expect(try await Self.serve(client, id, unit: unit).status == .ok)
                }
                let tier = try await client.call(
                    .post, "/api/v1/systems/\(id)/tier", json: #"{"tier": "medium", "rationale": "prices reach customers"}"#)
                #expect(tier.status == .ok, "\(String(buffer: tier.raw))")
                let holding = try await client.call(.post, "/api/v1/deployments/\(steppingID)/analysis").body.dictionary("deployment")
                #expect(holding?.array("arms").map { $0["weight"] as? Double } == [50, 50], "\(holding?.object ?? [:])")
                #expect(holding?.string("reason")?.contains("evaluation_gate_passed") == true, "\(holding?.object ?? [:])")
            }
        }
    }

    @Test("A shadow arm whose model server stalls never delays the answers", arguments: [TestEngine.sqlite])
    func stalledShadow(engine: TestEngine) async throws {
        try await Self.withModelServers([.predict(0), .stall]) { urls in
            try await Self.live(engine, servingTimeout: .seconds(2)) { client, services in
                let id = try await Self.system(client, services)
                let created = try await client.call(
                    .post, "/api/v1/systems/\(id)/deployments", json: #"{"mode": "shadow", "arms": \#(Self.arms(urls[0], urls[1], (100, 0)))}"#)
                #expect(created.status == .created, "\(String(buffer: created.raw))")
                // The shadow's server answers after twelve seconds: an answer that waited for it would take that long.
                var slowest = Duration.zero
                for request in 0..<20 {
                    let started = ContinuousClock.now
                    let served = try await Self.serve(client, id, unit: "u\(request)")
                    slowest = max(slowest, ContinuousClock.now - started)
                    #expect(served.status == .ok && served.arm == "champion" && served.body.contains("[0]"))
                }
                #expect(slowest < .seconds(6), "\(slowest)")
            }
        }
    }

    @Test(
        "Shadow arms get a copy of each request, recorded and never answered; a medium-tier challenger needs its gate",
        arguments: TestEngine.available)
    func shadowAndGovernance(engine: TestEngine) async throws {
        try await Self.withModelServers([.predict(0), .predict(1)]) { urls in
            try await Self.live(engine) { client, services in
                let id = try await Self.system(client, services)
                let created = try await client.call(
                    .post, "/api/v1/systems/\(id)/deployments", json: #"{"mode": "shadow", "arms": \#(Self.arms(urls[0], urls[1], (100, 0)))}"#)
                let deployment = try #require(created.body.dictionary("deployment")?.string("id"), "\(String(buffer: created.raw))")
                var requestIDs: [String] = []
                for request in 0..<30 {
                    let served = try await Self.serve(client, id, unit: "u\(request)")
                    #expect(served.arm == "champion" && served.body.contains("[0]"))
                    requestIDs.append(served.requestID ?? "")
                }
                var shadowRequests = 0
                for _ in 0..<50 where shadowRequests < 30 {
                    try await Task.sleep(for: .milliseconds(100))
                    let shown = try await client.call(.get, "/api/v1/deployments/\(deployment)")
                    shadowRequests = shown.body.dictionary("deployment")?.array("arms").last?.dictionary("counts")?["requests"] as? Int ?? 0
                }
                #expect(shadowRequests == 30)
                // A label posted by the request id the client was given joins the shadow arm's copy too.
                let labels = requestIDs.prefix(10).map { #"{"request_id": "\#($0)", "label": 1}"# }.joined(separator: ",")
                let posted = try await client.call(.post, "/api/v1/systems/\(id)/labels", json: "[\(labels)]")
                #expect(posted.status == .ok, "\(String(buffer: posted.raw))")
                let labeled = try await client.call(.get, "/api/v1/deployments/\(deployment)").body.dictionary("deployment")?.array("arms")
                #expect(labeled?.map { $0.dictionary("counts")?["labeled"] as? Int } == [10, 10], "\(labeled ?? [])")

                let tier = try await client.call(
                    .post, "/api/v1/systems/\(id)/tier", json: #"{"tier": "medium", "rationale": "prices reach customers"}"#)
                #expect(tier.status == .ok, "\(String(buffer: tier.raw))")
                let refused = try await client.call(
                    .post, "/api/v1/systems/\(id)/deployments", json: #"{"mode": "canary", "arms": \#(Self.arms(urls[0], urls[1], (95, 5)))}"#)
                #expect(
                    refused.status == .forbidden && refused.body.string("message")?.contains("evaluation_gate_passed") == true,
                    "\(String(buffer: refused.raw))")
                #expect(try await services.count("deployments") == 1)
            }
        }
    }
}
