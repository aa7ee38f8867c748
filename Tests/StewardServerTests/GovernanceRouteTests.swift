import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import StewardCore
import StewardServer
import StewardStore
import StewardTestSupport
import Testing

/// The register, incidents and exports over HTTP, and the clear 400s for what a client gets wrong.
@Suite("Governance routes")
struct GovernanceRouteTests {
    static func system(_ client: some TestClientProtocol, _ services: TrackingServices) async throws -> String {
        let experiment = try await services.experiments.createExperiment(name: "e", artifactLocation: nil, tags: [])
        let run = try await services.runs.createRun(experimentID: experiment, userID: "trainer", runName: nil, startTime: nil, tags: []).info.runID
        _ = try await services.registry.createRegisteredModel(name: "scorer", description: nil, tags: [], actor: "carl")
        _ = try await services.registry.createModelVersion(
            name: "scorer", source: "runs:/\(run)/model", runID: run, modelID: nil, runLink: nil, description: nil, tags: [], actor: "carl")
        let created = try await client.call(
            .post, "/api/v1/systems",
            json: """
                {"name": "loan, \\"fast\\" track", "purpose": "Scores loans", "business_owner": "=HYPERLINK(\\"x\\")", "technical_owner": "ml-team",
                 "data_sources": [{"name": "bureau", "personal_data": true}], "external_models": [{"provider": "acme", "model": "embed-2"}],
                 "known_limitations": ["thin files"], "review_due": "2027-02-28", "models": ["scorer"],
                 "questionnaire": {"domain": "credit", "customer_facing": true}}
                """)
        #expect(created.status == .created, "\(String(buffer: created.raw))")
        return try #require(created.body.dictionary("system")?.string("id"))
    }

    @Test("Incidents move through the playbook to resolution and show in the register entry", arguments: TestEngine.available)
    func incidents(engine: TestEngine) async throws {
        try await withApplication(engine) { client, services in
            let id = try await Self.system(client, services)
            let opened = try await client.call(
                .post, "/api/v1/systems/\(id)/incidents",
                json: #"{"title": "Approval rate dropped", "severity": "HIGH", "model": "scorer", "version": "1", "description": "-12% in a day"}"#)
            #expect(opened.status == .created)
            let incident = try #require(opened.body.dictionary("incident"))
            let incidentID = try #require(incident.string("id"))
            #expect(incident.string("status") == "open" && incident.string("severity") == "high" && incident.string("version") == "1")
            for change in [#"{"step": "notify_owner"}"#, #"{"status": "investigating", "note": "bureau feed late"}"#, #"{"step": "diagnose"}"#] {
                #expect(try await client.call(.patch, "/api/v1/incidents/\(incidentID)", json: change).status == .ok)
            }
            try await client.expectError(
                .patch, "/api/v1/incidents/\(incidentID)", json: #"{"step": "pray"}"#, status: .badRequest, code: "INVALID_PARAMETER_VALUE")
            try await client.expectError(.patch, "/api/v1/incidents/\(incidentID)", json: "{}", status: .badRequest, code: "INVALID_PARAMETER_VALUE")
            try await client.expectError(
                .post, "/api/v1/incidents/\(incidentID)/resolve", json: "{}", status: .badRequest, code: "INVALID_PARAMETER_VALUE")
            let resolved = try await client.call(.post, "/api/v1/incidents/\(incidentID)/resolve", json: #"{"resolution": "feed fixed"}"#)
            let done = try #require(resolved.body.dictionary("incident"))
            #expect(done.string("status") == "resolved" && done["resolved_at"] is Int)
            #expect(done.dictionary("playbook")?.object as? [String: Bool] == ["notify_owner": true, "diagnose": true, "roll_back": false])
            #expect(done.array("timeline").map { $0.string("kind") ?? "" } == ["opened", "step", "status", "note", "step", "resolved"])
            try await client.expectError(
                .patch, "/api/v1/incidents/\(incidentID)", json: #"{"note": "late"}"#, status: .conflict, code: "RESOURCE_CONFLICT")

            let entry = try #require(try await client.call(.get, "/api/v1/systems/\(id)").body.dictionary("system"))
            #expect(entry.array("incidents").map { $0.string("id") } == [incidentID])
            #expect(entry.dictionary("maturity")?["level"] as? Int == 1)
            #expect(entry.string("risk_tier") == "high" && entry.string("tier_source") == "questionnaire")
            let audit = try await services.audit.events(AuditQuery(systemID: id), actor: .user("cora", role: .compliance)).map(\.action)
            #expect(audit == ["system.create", "incident.open", "incident.update", "incident.update", "incident.update", "incident.resolve"])
        }
    }

    @Test("The portfolio exports as JSON and CSV, and the documentation follows Annex IV", arguments: TestEngine.available)
    func exports(engine: TestEngine) async throws {
        try await withApplication(engine) { client, services in
            let id = try await Self.system(client, services)
            let json = try await client.call(.get, "/api/v1/register/portfolio")
            let system = try #require(json.body.array("systems").first)
            #expect(system.string("id") == id && system.string("business_owner") == "=HYPERLINK(\"x\")")
            #expect((system["controls_missing"] as? [String])?.contains("regulatory_review") == true)
            #expect(system.array("controls").first?.string("version") == "1")

            try await client.execute(uri: "/api/v1/register/portfolio?format=csv", method: .get) { response in
                #expect(response.headers[.contentType] == "text/csv; charset=utf-8")
                let lines = String(buffer: response.body).components(separatedBy: "\r\n")
                #expect(lines[0] == PortfolioTable.columns.joined(separator: ","))
                #expect(lines[1].hasPrefix("\(id),\"loan, \"\"fast\"\" track\",proposed,high,\"'=HYPERLINK(\"\"x\"\")\",ml-team,1,"))
                #expect(lines.count == 3 && lines[2].isEmpty)
            }
            try await client.expectError(.get, "/api/v1/register/portfolio?format=xls", status: .badRequest, code: "INVALID_PARAMETER_VALUE")

            let documentation = try await client.call(.get, "/api/v1/systems/\(id)/documentation").body
            let headings = documentation.object.values.compactMap { ($0 as? [String: Any])?["heading"] as? String }.sorted()
            #expect(
                headings.count == 9 && headings.first?.hasPrefix("1. General description") == true
                    && headings.last?.hasPrefix("9. Post-market") == true)
            #expect(documentation.dictionary("risk_management_system")?.dictionary("content")?.string("risk_tier") == "high")
            #expect(documentation.dictionary("general_description")?.dictionary("content")?.string("intended_purpose") == "Scores loans")

            // Markdown and HTML follow the Annex's order, with the owner's text escaped.
            let markdown = String(buffer: try await client.call(.get, "/api/v1/systems/\(id)/documentation?format=markdown").raw)
            let order = (1...9).map { markdown.range(of: "\n## \($0). ")?.lowerBound }
            #expect(order.allSatisfy { $0 != nil } && zip(order, order.dropFirst()).allSatisfy { $0! < $1! }, "\(markdown)")
            #expect(markdown.contains("- **Risk tier:** high") && markdown.contains("- **Business owner:** =HYPERLINK(\"x\")"), "\(markdown)")
            #expect(markdown.contains("- **Policy:**\n\n  ```\n"), "the policy is a code block: \(markdown)")
            try await client.execute(uri: "/api/v1/systems/\(id)/documentation", method: .get, headers: [.accept: "text/html"]) { response in
                let page = String(buffer: response.body)
                #expect(response.headers[.contentType] == "text/html; charset=utf-8")
                #expect(response.headers[HTTPField.Name("Content-Security-Policy")!] == ModelCardRenderer.contentSecurityPolicy)
                let sections = (1...9).map { page.range(of: "<section id=\"section-\($0)\"><h2>\($0). ")?.lowerBound }
                #expect(sections.allSatisfy { $0 != nil } && zip(sections, sections.dropFirst()).allSatisfy { $0! < $1! }, "\(page)")
                #expect(page.contains("loan, &quot;fast&quot; track") && !page.contains("<script"))
            }
            try await client.expectError(
                .get, "/api/v1/systems/\(id)/documentation?format=pdf", status: .badRequest, code: "INVALID_PARAMETER_VALUE")
        }
    }

    @Test("What a client gets wrong is a 400 naming it, and changes nothing", arguments: TestEngine.available)
    func badInput(engine: TestEngine) async throws {
        try await withApplication(engine) { client, services in
            let id = try await Self.system(client, services)
            let events = try await services.count("audit_events")
            let cases: [(HTTPRequest.Method, String, String, String)] = [
                (.post, "/api/v1/systems", #"{"name": "x", "questionnaire": {"domain": "astrology"}}"#, "Unknown domain 'astrology'"),
                (.post, "/api/v1/systems", #"{"name": "x", "review_due": "2027-02-30"}"#, "review_due"),
                (.post, "/api/v1/systems", #"{"name": "x", "status": "live"}"#, "Unknown status 'live'"),
                (.post, "/api/v1/systems", #"{"name": "x", "models": ["a", "a"]}"#, "listed twice"),
                (.post, "/api/v1/systems", #"{"purpose": "no name"}"#, "needs a name"),
                (.post, "/api/v1/systems", #"{"name": 5}"#, "name"),
                (.post, "/api/v1/systems", #"{"name": "a\u0000b"}"#, "NUL"),
                (.post, "/api/v1/systems/\(id)/evidence", #"{"type": "explainability", "reference": "r", "digest": "abc"}"#, "SHA-256"),
                // The staged rollout is observed from deployments: no evidence record can stand for it.
                (.post, "/api/v1/systems/\(id)/evidence", #"{"type": "staged_rollout", "reference": "r"}"#, "type"),
                (.post, "/api/v1/systems/\(id)/evidence", #"{"type": "bad type", "reference": "r"}"#, "type"),
                (
                    .post, "/api/v1/systems/\(id)/evidence", #"{"type": "explainability", "reference": "r", "model": "other", "version": "1"}"#,
                    "not part"
                ),
                (.post, "/api/v1/systems/\(id)/incidents", #"{"title": "t", "severity": "sev1"}"#, "Unknown severity 'sev1'"),
                (.post, "/api/v1/systems/\(id)/promote", #"{"model": "scorer", "version": "1", "alias": "p", "stage": "Production"}"#, "exactly one"),
                (.post, "/api/v1/systems/\(id)/promote", #"{"model": "scorer", "version": "1", "alias": "candidate"}"#, "not protected"),
                (.post, "/api/v1/systems/\(id)/rollback", #"{"model": "scorer"}"#, "alias"),
                (.post, "/api/v1/systems/\(id)/approvals", #"{"model": "scorer", "version": "x"}"#, "integer"),
                (.post, "/api/v1/systems/\(id)/models", #"{"name": "scorer", "kind": "dataset"}"#, "kind"),
                (.get, "/api/v1/systems/\(id)/controls?model=scorer", "", "version"),
                (.get, "/api/v1/audit?since=yesterday", "", "since"),
                (.get, "/api/v1/audit?limit=0", "", "limit"),
                (.get, "/api/v1/systems/a%00b", "", "control characters"),
                (.post, "/api/v1/classify", #"{"questionnaire": {"safety_critical": "yes"}}"#, "safety_critical"),
            ]
            for (method, uri, body, message) in cases {
                try await client.expectError(
                    method, uri, json: body.isEmpty ? nil : body, status: .badRequest, code: "INVALID_PARAMETER_VALUE", messageContains: message)
            }
            try await client.expectError(.get, "/api/v1/systems/sys-nope", status: .notFound, code: "RESOURCE_DOES_NOT_EXIST")
            try await client.expectError(
                .post, "/api/v1/systems", json: #"{"name": "x", "models": ["ghost"]}"#, status: .notFound, code: "RESOURCE_DOES_NOT_EXIST",
                messageContains: "register it before linking")
            try await client.expectError(
                .post, "/api/v1/approvals/apr-nope/decisions", json: #"{"decision": "approve"}"#, status: .notFound, code: "RESOURCE_DOES_NOT_EXIST")
            #expect(try await services.count("ai_systems") == 1)
            #expect(try await services.count("audit_events") == events, "refused input writes no audit event")

            let classified = try await client.call(
                .post, "/api/v1/classify", json: #"{"questionnaire": {"domain": "medical", "safety_critical": true}}"#)
            #expect(classified.body.string("tier") == "critical")
            #expect(try await services.count("ai_systems") == 1)
        }
    }

    @Test("The audit log reads since and until as ISO 8601 dates and times as well as epoch milliseconds")
    func auditTimes() async throws {
        try await withApplication(.sqlite) { client, services in
            let admin = try await services.identity.createUser(name: "ada", role: .admin, actor: IdentityService.bootstrap).token
            func count(_ query: String) async throws -> Int {
                try await client.execute(uri: "/api/v1/audit?" + query, method: .get, headers: [.authorization: "Bearer \(admin)"]) { response in
                    #expect(response.status == .ok, "\(query): \(String(buffer: response.body))")
                    return try JSONBody(response.body).array("events").count
                }
            }
            let all = try await count("limit=1000")
            #expect(all > 0)
            #expect(try await count("since=2000-01-01") == all)
            #expect(try await count("since=2100-01-01T00:00:00Z") == 0)
            #expect(try await count("until=2000-01-01T00:00:00.000%2B01:00") == 0)
            #expect(try await count("since=\(EpochClock.now() - 3_600_000)") == all)
        }
    }
}
