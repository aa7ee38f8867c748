import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import StewardCore
import StewardStore
import StewardTestSupport
import Testing

@testable import StewardServer

/// The web UI over the real router: sessions, form tokens, escaping, and what its forms may change.
@Suite("UI routes")
struct UIRouteTests {
    static let secured = ServerConfiguration(authenticationRequired: true)

    static func bearer(_ token: String) -> HTTPFields { [.authorization: "Bearer \(token)", .contentType: "application/json"] }

    /// Signs in with `token` and returns the session cookie's value.
    static let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded", .origin: "http://localhost"]

    static func signIn(_ client: some TestClientProtocol, token: String) async throws -> String {
        try await client.execute(
            uri: "/ui/sign-in", method: .post, headers: form, body: ByteBuffer(string: "token=\(token)&next=%2Fui%2Fapprovals")
        ) { response in
            #expect(response.status == .seeOther)
            #expect(response.headers[.location] == "/ui/approvals")
            let cookie = try #require(response.headers[.setCookie])
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Path=/ui"))
            #expect(!cookie.contains("Secure"), "no TLS here")
            let value = try #require(cookie.split(separator: ";").first?.split(separator: "=", maxSplits: 1).last)
            return String(value)
        }
    }

    /// A high-tier system whose model `scorer` has version 1, registered by carl.
    static func system(_ client: some TestClientProtocol, _ services: TrackingServices, token: String) async throws -> String {
        let experiment = try await services.experiments.createExperiment(name: "e", artifactLocation: nil, tags: [])
        let run = try await services.runs.createRun(experimentID: experiment, userID: "carl", runName: nil, startTime: nil, tags: []).info.runID
        _ = try await services.registry.createRegisteredModel(name: "scorer", description: nil, tags: [], actor: "carl")
        _ = try await services.registry.createModelVersion(
            name: "scorer", source: "runs:/\(run)/model", runID: run, modelID: nil, runLink: nil, description: nil, tags: [], actor: "carl")
        return try await client.execute(
            uri: "/api/v1/systems", method: .post, headers: bearer(token),
            body: ByteBuffer(string: #"{"name": "loans", "purpose": "Scores loans", "models": ["scorer"], "questionnaire": {"domain": "credit"}}"#)
        ) { response in
            #expect(response.status == .created, "\(String(buffer: response.body))")
            return try #require(try JSONBody(response.body).dictionary("system")?.string("id"))
        }
    }

    static func page(_ client: some TestClientProtocol, _ uri: String, session: String?) async throws -> (HTTPResponse.Status, String, HTTPFields) {
        try await client.execute(uri: uri, method: .get, headers: session.map { [.cookie: "steward_session=\($0)"] } ?? [:]) { response in
            (response.status, String(buffer: response.body), response.headers)
        }
    }

    @Test("With auth on, pages need a session: signing in opens one, signing out and revoking the token end it", arguments: TestEngine.available)
    func sessions(engine: TestEngine) async throws {
        try await withApplication(engine, configuration: Self.secured) { client, services in
            let (_, token) = try await services.identity.createUser(name: "rita", role: .reviewer, actor: IdentityService.bootstrap)
            let (status, _, headers) = try await Self.page(client, "/ui/audit?actor=rita", session: nil)
            #expect(status == .seeOther && headers[.location] == "/ui/sign-in?next=%2Fui%2Faudit%3Factor%3Drita")
            // A bad token is refused on the page, and opens nothing.
            try await client.execute(uri: "/ui/sign-in", method: .post, headers: Self.form, body: ByteBuffer(string: "token=stw_nope")) { response in
                #expect(response.status == .unauthorized && response.headers[.setCookie] == nil)
                #expect(String(buffer: response.body).contains("The token is not valid"))
            }
            // A sign-in form from nowhere or from another site is refused before the token is read.
            for headers: HTTPFields in [
                [.contentType: "application/x-www-form-urlencoded"], Self.form + [.init("Sec-Fetch-Site")!: "cross-site"],
                [.contentType: "application/x-www-form-urlencoded", .origin: "https://elsewhere.example"],
            ] {
                try await client.execute(uri: "/ui/sign-in", method: .post, headers: headers, body: ByteBuffer(string: "token=\(token)")) {
                    response in
                    #expect(response.status == .forbidden && response.headers[.setCookie] == nil)
                }
            }
            // Where a sign-in goes on to is a page of this UI, whatever `next` says; behind TLS the cookie is Secure.
            for next in ["%2F%2Fevil.example%2Fui%2F", "https%3A%2F%2Fevil.example%2F", "%2Fui%5C..%2Fx", "%2Fapi%2Fv1%2Fsystems"] {
                try await client.execute(
                    uri: "/ui/sign-in", method: .post, headers: Self.form + [.init("X-Forwarded-Proto")!: "https"],
                    body: ByteBuffer(string: "token=\(token)&next=\(next)")
                ) { response in
                    #expect(response.status == .seeOther && response.headers[.location] == "/ui/", "\(next)")
                    #expect(response.headers[.setCookie]?.hasSuffix("; Secure") == true)
                }
            }
            try await services.storage.database.write { db in try await db.raw("DELETE FROM sign_in_sessions").run() }
            #expect(try await services.count("sign_in_sessions") == 0)
            let session = try await Self.signIn(client, token: token)
            #expect(session.hasPrefix("sts_"))
            #expect(try await services.count("sign_in_sessions") == 1)
            let (shown, body, pageHeaders) = try await Self.page(client, "/ui/approvals", session: session)
            #expect(shown == .ok && body.contains("rita (reviewer)"))
            #expect(pageHeaders[.contentSecurityPolicy]?.contains("default-src 'none'") == true && pageHeaders[.cacheControl] == "no-store")
            // Only the digest is stored.
            let stored = try await services.storage.database.read { db in
                try await db.raw("SELECT session_digest FROM sign_in_sessions").all().map { try $0.decode(column: "session_digest", as: String.self) }
            }
            #expect(stored == [SignInSession.digest(session)])

            let formToken = SignInSession.formToken(for: session)
            try await client.execute(
                uri: "/ui/sign-out", method: .post,
                headers: [.cookie: "steward_session=\(session)", .contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "form_token=\(formToken)")
            ) { response in
                #expect(response.status == .seeOther && response.headers[.setCookie]?.contains("Max-Age=0") == true)
            }
            #expect(try await Self.page(client, "/ui/approvals", session: session).0 == .seeOther)

            // A revoked token ends the sessions it opened.
            let second = try await Self.signIn(client, token: token)
            #expect(try await Self.page(client, "/ui/approvals", session: second).0 == .ok)
            let id = try #require(try await services.identity.tokens(user: "rita", actor: .user("rita", role: .reviewer)).first?.id)
            try await services.identity.revokeToken(user: "rita", id: id, actor: .user("rita", role: .reviewer))
            #expect(try await Self.page(client, "/ui/approvals", session: second).0 == .seeOther)
            #expect(try await services.count("sign_in_sessions") == 0)
        }
    }

    @Test("A form needs its session's form token and this server's origin; a refused form changes nothing")
    func forms() async throws {
        try await withApplication(.sqlite, configuration: Self.secured) { client, services in
            let (_, token) = try await services.identity.createUser(name: "carl", role: .contributor, actor: IdentityService.bootstrap)
            let system = try await Self.system(client, services, token: token)
            let session = try await Self.signIn(client, token: token)
            let cookie = "steward_session=\(session)"
            let form: HTTPFields = [.cookie: cookie, .contentType: "application/x-www-form-urlencoded"]
            let fields = "model=scorer&version=1&alias=production"
            for (headers, body, reason) in [
                (form, fields, "out of date"), (form, fields + "&form_token=0123", "out of date"),
                (form + [.init("Sec-Fetch-Site")!: "cross-site"], fields + "&form_token=\(SignInSession.formToken(for: session))", "another site"),
                (form + [.origin: "https://elsewhere.example"], fields + "&form_token=\(SignInSession.formToken(for: session))", "another site"),
            ] {
                try await client.execute(uri: "/ui/systems/\(system)/approvals", method: .post, headers: headers, body: ByteBuffer(string: body)) {
                    response in
                    #expect(response.status == .forbidden)
                    #expect(String(buffer: response.body).contains(reason))
                }
            }
            #expect(try await services.count("approval_requests") == 0)
            // With the token, the approval is asked for, and the version's page says so once.
            try await client.execute(
                uri: "/ui/systems/\(system)/approvals", method: .post, headers: form + [.origin: "http://localhost"],
                body: ByteBuffer(string: fields + "&form_token=\(SignInSession.formToken(for: session))")
            ) { response in
                #expect(response.status == .seeOther && response.headers[.location] == "/ui/models/scorer/versions/1")
                #expect(response.headers[values: .setCookie].contains { $0.hasPrefix("steward_notice=") })
            }
            #expect(try await services.count("approval_requests") == 1)
            // An unknown field is refused, not ignored.
            try await client.execute(
                uri: "/ui/systems/\(system)/approvals", method: .post, headers: form,
                body: ByteBuffer(string: fields + "&archive=1&form_token=\(SignInSession.formToken(for: session))")
            ) { response in
                #expect(response.status == .badRequest && String(buffer: response.body).contains("archive"))
            }
            // The contributor's promotion is the decision's refusal, every missing control listed.
            try await client.execute(
                uri: "/ui/systems/\(system)/promote", method: .post, headers: form,
                body: ByteBuffer(string: fields + "&form_token=\(SignInSession.formToken(for: session))")
            ) { response in
                let page = String(buffer: response.body)
                #expect(response.status == .forbidden)
                for control in ["model_card", "evaluation_gate_passed", "human_review", "regulatory_review"] {
                    #expect(page.contains("<li>\(control):"), "\(control)")
                }
            }
            #expect(try await services.registry.modelVersion(name: "scorer", version: "1").aliases.isEmpty)
        }
    }

    @Test("Every name is text: markup in a system's, an experiment's, a model's or a metric's name is escaped on each page")
    func escaping() async throws {
        try await withApplication(.sqlite) { client, services in
            let run = try await services.runs.createRun(experimentID: nil, userID: "u", runName: "<b>run</b>", startTime: nil, tags: []).info.runID
            // Steps at the ends of Int64: a chart's arithmetic must not overflow.
            for (step, value) in [(Int64.min, 1.0), (0, 2.0), (Int64.max, 3.0)] {
                try await services.runs.logMetric(runID: run, Metric(key: "loss", value: value, timestamp: 1, step: step))
            }
            try await services.runs.logParam(runID: run, Param("note", "<svg onload=alert(4)>"))
            _ = try await services.registry.createRegisteredModel(name: "a\"<b#?%", description: nil, tags: [], actor: "u")
            _ = try await services.registry.createModelVersion(
                name: "a\"<b#?%", source: "runs:/\(run)/model", runID: run, modelID: nil, runLink: nil, description: nil, tags: [], actor: "u")
            for uri in ["/ui/experiments/0/runs/\(run)", "/ui/models/a%22%3Cb%23%3F%25/versions/1", "/ui/models/a%22%3Cb%23%3F%25"] {
                let (status, body, _) = try await Self.page(client, uri, session: nil)
                #expect(status == .ok, "\(uri): \(body)")
                #expect(!body.contains("<svg onload") && !body.contains("<b>run") && !body.contains("a\"<b"), "\(uri)")
            }
            #expect(
                try await Self.page(client, "/ui/models/a%22%3Cb%23%3F%25/versions/1", session: nil).1.contains(
                    #"href="/ui/models/a%22%3Cb%23%3F%25/versions/1/card""#))
            // A hand-made `before` is clamped to the log, never a crash.
            for before in ["-9223372036854775808", "9223372036854775807", "0", "x"] {
                #expect(try await Self.page(client, "/ui/audit?before=\(before)", session: nil).0 == .ok, "\(before)")
            }
            let created = try await client.call(
                .post, "/api/v1/systems", json: #"{"name": "<script>alert(1)</script>", "purpose": "<img src=x onerror=alert(2)>"}"#)
            let system = try #require(created.body.dictionary("system")?.string("id"))
            let experiment = try await services.experiments.createExperiment(name: "\"><svg onload=alert(3)>", artifactLocation: nil, tags: [])
            for uri in ["/ui/", "/ui/systems/\(system)", "/ui/experiments", "/ui/experiments/\(experiment)", "/ui/audit"] {
                let (status, body, headers) = try await Self.page(client, uri, session: nil)
                #expect(status == .ok, "\(uri): \(body)")
                #expect(!body.contains("<script>alert") && !body.contains("<img src=x") && !body.contains("<svg onload"), "\(uri)")
                #expect(headers[.contentSecurityPolicy] == PageRenderer.contentSecurityPolicy)
            }
            #expect(try await Self.page(client, "/ui/", session: nil).1.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
            #expect(try await Self.page(client, "/ui/systems/\(system)", session: nil).1.contains("&lt;img src=x onerror=alert(2)&gt;"))
            // Without auth, pages are read anonymously; a form's change is the service's refusal.
            let (_, page, _) = try await Self.page(client, "/ui/", session: nil)
            #expect(page.contains("Sign in"))
        }
    }

    @Test("A chart never draws more points than its plot is wide, and keeps each slice's extremes")
    func downsampling() {
        let points = (0..<100_000).map { SVGTimeSeries.Point(time: Int64($0) * 60_000, value: $0 == 54_321 ? 1_000 : Double($0 % 7)) }
        let kept = SVGTimeSeries.downsample(points, columns: 266)
        #expect(kept.count <= 532 && kept.count >= 266)
        #expect(kept.contains { $0.value == 1_000 }, "the spike stays")
        #expect(kept.map(\.time) == kept.map(\.time).sorted())
        let svg = SVGTimeSeries(title: "Latency <p99>", unit: "ms", series: [SVGTimeSeries.Series(name: "p99", color: "#b3261e", points: points)]).svg
        #expect(svg.contains("Latency &lt;p99&gt;") && !svg.contains("<p99>"))
        let drawn = try? #require(svg.split(separator: "points=\"").dropFirst().first?.split(separator: "\"").first)
        #expect((drawn?.split(separator: " ").count ?? 0) <= 600)
        #expect(SVGTimeSeries.niceCeiling(0.037) == 0.05 && SVGTimeSeries.niceCeiling(730) == 1000 && SVGTimeSeries.niceCeiling(0) == 1)
    }

    @Test("A prompt's two versions compare line by line")
    func lineDiff() {
        let lines = LineDiff.lines(
            from: "Hello {{ name }}.\nAnswer briefly.\nThanks.", to: "Hello {{ name }}.\nAnswer in one sentence.\nThanks.\nBe kind.")
        #expect(
            lines == [
                .same("Hello {{ name }}."), .removed("Answer briefly."), .added("Answer in one sentence."), .same("Thanks."), .added("Be kind."),
            ])
        #expect(LineDiff.lines(from: "", to: "") == [.same("")])
    }
}
