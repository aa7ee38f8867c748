import Foundation
import HTTPTypes
import Hummingbird
import StewardCore
import StewardStatistics

/// The web UI under `/ui/`: server-rendered pages over the same services as the API, and forms whose every
/// change (approvals, promotion, rollback) goes through the same service call, and so the same decision, as
/// the API's. A refusal is shown on the page it came from, with each missing control.
struct UIController: Sendable {
    typealias Context = StewardRequestContext
    let services: StewardServices
    let renderer: PageRenderer
    let chain = AuditChainStatus()

    func addRoutes(to router: Router<Context>, authenticationRequired: Bool) {
        router.get("/") { _, _ in PageRenderer.redirect(to: "/ui/") }
        let ui = router.group("ui").add(middleware: UISessionMiddleware(identity: services.identity, required: authenticationRequired))
        ui.get("assets/steward.css") { _, _ in UIAssets.response(UIAssets.styleSheet, contentType: "text/css; charset=utf-8") }
        ui.get("assets/steward.js") { _, _ in UIAssets.response(UIAssets.script, contentType: "text/javascript; charset=utf-8") }
        ui.get("assets/icon.svg") { _, _ in UIAssets.response(UIAssets.icon, contentType: "image/svg+xml") }
        ui.get("sign-in", use: signInPage)
        ui.post("sign-in", use: signIn)
        ui.post("sign-out", use: signOut)
        ui.get("", use: register)
        ui.get("register.csv", use: portfolioCSV)
        ui.get("systems/:id", use: system)
        ui.get("systems/:id/documentation", use: documentation)
        ui.post("systems/:id/promote", use: promote)
        ui.post("systems/:id/rollback", use: rollback)
        ui.post("systems/:id/approvals", use: requestApproval)
        ui.get("models/:name", use: model)
        ui.get("models/:name/versions/:version", use: modelVersion)
        ui.get("models/:name/versions/:version/card", use: modelCard)
        ui.get("approvals", use: approvals)
        ui.post("approvals/:id", use: decide)
        ui.get("incidents", use: incidents)
        ui.get("audit", use: audit)
        ui.get("experiments", use: experiments)
        ui.get("experiments/:id", use: experiment)
        ui.get("experiments/:id/runs/:run", use: run)
    }

    /// The layout's part of a page; `request` brings the notice a form's change left (`UISessionMiddleware.notice`).
    func chrome(_ title: String, _ section: String, _ context: Context, request: Request? = nil, error: PageRenderer.PageError? = nil)
        -> PageRenderer.Chrome
    {
        PageRenderer.Chrome(
            title: title, section: section, principal: context.principal, session: context.signIn,
            notice: request.flatMap { UISessionMiddleware.notice(in: $0) },
            error: error)
    }

    /// A failed page: the error's message, with its status.
    func problem(_ error: any Error, _ context: Context) -> Response {
        let failure = error as? StewardError ?? StewardError(.internalError, "The page could not be made.")
        let status = MLflowResponse.status(for: failure.code)
        let heading = status == .notFound ? "Not found" : status == .forbidden ? "Refused" : "Could not show this page"
        return renderer.page(
            "problem", ["heading": heading, "message": failure.message], chrome: chrome(heading, "", context), status: status)
    }

    /// Runs a page's handler, showing what it throws as a page.
    func showing(_ context: Context, _ make: () async throws -> Response) async -> Response {
        do { return try await make() } catch { return problem(error, context) }
    }

    // MARK: Sign-in

    @Sendable func signInPage(_ request: Request, context: Context) async throws -> Response {
        var page = chrome("Sign in", "", context)
        page.narrow = true
        // A run link the mlflow client printed may land here before its fragment is read.
        page.script = true
        return renderer.page("sign-in", ["next": Self.localPath(request.uri.queryParameters["next"].map(String.init))], chrome: page)
    }

    @Sendable func signIn(_ request: Request, context: Context) async throws -> Response {
        let form = try await UIForm.read(request)
        var page = chrome("Sign in", "", context)
        page.narrow = true
        let next = Self.localPath(form.value("next"))
        do {
            try form.refuseUnknown(["token", "next"])
            let session = try await services.identity.signIn(token: try form.required("token"))
            var response = PageRenderer.redirect(to: next)
            response.headers[.setCookie] = Self.cookie(session.secret, maxAge: Int(SignInSession.lifetime / 1000), secure: Self.isSecure(request))
            return response
        } catch let error as StewardError {
            page.error = PageRenderer.PageError(message: error.message)
            return renderer.page("sign-in", ["next": next], chrome: page, status: MLflowResponse.status(for: error.code))
        }
    }

    @Sendable func signOut(_ request: Request, context: Context) async throws -> Response {
        if let session = context.signIn { try await services.identity.signOut(session) }
        var response = PageRenderer.redirect(to: "/ui/sign-in")
        response.headers[.setCookie] = Self.cookie("", maxAge: 0, secure: Self.isSecure(request))
        return response
    }

    static func cookie(_ value: String, maxAge: Int, secure: Bool) -> String {
        "\(UISessionMiddleware.cookieName)=\(value); Path=/ui; Max-Age=\(maxAge); HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "")
    }

    /// Behind TLS, directly or through a proxy that says so.
    static func isSecure(_ request: Request) -> Bool {
        request.uri.scheme == .https || request.headers[.init("X-Forwarded-Proto")!]?.lowercased() == "https"
    }

    /// A path on this server's UI to go on to, or the register: never another site.
    static func localPath(_ text: String?) -> String {
        guard let text, text.hasPrefix("/ui/"), !text.hasPrefix("//"), !text.contains("\\"), !text.contains("\n"), !text.contains("\r") else {
            return "/ui/"
        }
        return text
    }

    // MARK: Register

    /// Systems on one page of the register.
    static let registerPage = 100

    /// The register, filtered by tier, status and owner (the stored entries, cheap to read), a page at a time:
    /// only the page's systems have their controls, maturity and monitoring worked out.
    @Sendable func register(_ request: Request, context: Context) async throws -> Response {
        await showing(context) {
            let query = request.uri.queryParameters
            let tier = query["tier"].map(String.init) ?? ""
            let status = query["status"].map(String.init) ?? ""
            let owner = (query["owner"].map(String.init) ?? "").trimmingCharacters(in: .whitespaces)
            // Foundation's localized comparisons are slow on Linux: sorting 1,000 shuffled names with them took 112 ms,
            // folded once and compared plainly under 1 ms.
            let all = try await services.register.systems().map { (folded: $0.name.lowercased(), system: $0) }
                .sorted { ($0.folded, $0.system.name) < ($1.folded, $1.system.name) }.map(\.system)
            let ownerFolded = owner.lowercased()
            let matching = all.filter { system in
                (tier.isEmpty || system.riskTier.rawValue == tier) && (status.isEmpty || system.status.rawValue == status)
                    && (owner.isEmpty
                        || [system.profile.businessOwner, system.profile.technicalOwner].contains { $0.lowercased().contains(ownerFolded) })
            }
            let pages = max(1, (matching.count + Self.registerPage - 1) / Self.registerPage)
            let page = min(max(1, query["page"].flatMap { Int($0) } ?? 1), pages)
            let shown = Array(matching.dropFirst((page - 1) * Self.registerPage).prefix(Self.registerPage))
            let rows: [[String: Any]] = try await services.register.entries(of: shown).map { entry in
                [
                    "id": entry.system.id, "name": entry.system.name, "tier": entry.system.riskTier.rawValue, "status": entry.system.status.rawValue,
                    "owner": entry.system.profile.businessOwner.isEmpty ? entry.system.profile.technicalOwner : entry.system.profile.businessOwner,
                    "maturity": "level \(entry.maturity.level)", "met": entry.controlsMet.joined(separator: ", "),
                    "missing": entry.controlsMissing.joined(separator: ", "), "incidents": entry.openIncidents.count,
                    "evaluation": entry.lastEvaluation.map(Self.evaluationSummary) ?? "none",
                ]
            }
            func link(_ number: Int) -> String {
                var parameters = ["page=\(number)"]
                for (name, value) in [("tier", tier), ("status", status), ("owner", owner)] where !value.isEmpty {
                    parameters.append(name + "=" + (value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""))
                }
                return "/ui/?" + parameters.joined(separator: "&")
            }
            var values: [String: Any] = [
                "systems": rows, "matching": matching.count, "total": all.count, "owner": owner, "page": page, "pages": pages,
                "tiers": RiskTier.allCases.map { ["value": $0.rawValue, "selected": $0.rawValue == tier] as [String: Any] },
                "statuses": AISystem.Status.allCases.map { ["value": $0.rawValue, "selected": $0.rawValue == status] as [String: Any] },
            ]
            if page > 1 { values["previous"] = link(page - 1) }
            if page < pages { values["next"] = link(page + 1) }
            var chrome = chrome("AI Register", "register", context)
            chrome.script = true
            return renderer.page("register", values, chrome: chrome)
        }
    }

    @Sendable func portfolioCSV(_ request: Request, context: Context) async throws -> Response {
        await showing(context) {
            var response = NativeMessage.text(PortfolioTable.csv(try await services.register.portfolio()), contentType: "text/csv; charset=utf-8")
            response.headers[.contentDisposition] = "attachment; filename=\"steward-portfolio.csv\""
            return response
        }
    }

    // MARK: System

    static let windows: [(value: String, label: String, milliseconds: Int64)] = [
        ("1d", "day", 86_400_000), ("7d", "7 days", 7 * 86_400_000), ("30d", "30 days", 30 * 86_400_000),
    ]

    @Sendable func system(_ request: Request, context: Context) async throws -> Response {
        await showing(context) {
            let id = try NativeMessage.parameter("id", context)
            let entry = try await services.register.entry(systemID: id)
            let system = entry.system
            let chosen = request.uri.queryParameters["window"].map(String.init) ?? "7d"
            guard let window = Self.windows.first(where: { $0.value == chosen }) else {
                throw StewardError.invalidParameter("window must be one of: \(Self.windows.map(\.value).joined(separator: ", ")).")
            }
            let timeline = try await services.events.timeline(systemID: id, window: window.milliseconds)
            let daily = try await services.events.dailyDrift(systemID: id, window: window.milliseconds)
            let overall = try? await services.events.drift(systemID: id, window: window.milliseconds)
            let alerts = try await services.alerts.alerts(systemID: id).prefix(20)
            let deployments = try await services.deployments.deployments(systemID: id)
            let (_, reasons) = RegisterService.classify(system.questionnaire)
            var values: [String: Any] = [
                "id": system.id, "name": system.name, "tier": system.riskTier.rawValue, "status": system.status.rawValue,
                "purpose": system.profile.purpose, "businessOwner": system.profile.businessOwner, "technicalOwner": system.profile.technicalOwner,
                "maturity": "level \(entry.maturity.level)"
                    + (entry.maturity.missing.isEmpty ? "" : "; the next level needs: " + entry.maturity.missing.joined(separator: ", ")),
                "tierSource": system.tierSource == .override ? "Set by an override" : "From the risk questionnaire",
                "reasons": reasons,
                "components": system.components.map { component -> [String: Any] in
                    ["kind": component.kind.rawValue, "name": component.name, "href": "/ui/models/\(Self.segment(component.name))"]
                },
                "controls": entry.controls.flatMap { component in
                    component.targets.enumerated().map { index, target -> [String: Any] in
                        let missing = target.missing
                        return [
                            "model": component.model, "version": component.version.map(String.init) ?? "none", "target": target.target,
                            "rows": target.evaluations.map(Self.controlRow), "open": index == 0 && !missing.isEmpty,
                            "summary": missing.isEmpty ? "every control met" : "\(missing.count) missing",
                        ]
                    }
                },
                "windowLabel": window.label,
                "windows": Self.windows.map { ["value": $0.value, "label": $0.label, "selected": $0.value == window.value] as [String: Any] },
                "charts": Self.monitoringCharts(timeline),
                "drift": Self.driftSection(daily: daily, overall: overall?.drift),
                "alerts": alerts.map { alert -> [String: Any] in
                    [
                        "rule": alert.rule, "category": alert.category.rawValue, "status": alert.status.rawValue,
                        "css": alert.status.rawValue == "firing" ? "missing" : "", "value": UIFormat.number(alert.value),
                        "fired": UIFormat.time(alert.firedAt), "resolved": UIFormat.optionalTime(alert.resolvedAt),
                    ]
                },
                "deployments": try await Self.deploymentRows(deployments, services.deployments),
                "incidents": entry.openIncidents.map {
                    ["id": $0.id, "title": $0.title, "severity": $0.severity.rawValue, "status": $0.status.rawValue]
                },
            ]
            // A section opens for any string, the empty one too: a key is left out rather than set to "".
            if system.tierSource == .override, !system.tierRationale.isEmpty { values["overrideRationale"] = system.tierRationale }
            var chrome = chrome(system.name, "register", context)
            // A live canary or A/B test's panel refreshes itself every few seconds (the one script's second job).
            if deployments.contains(where: { $0.state == .active && $0.mode != .single }) {
                values["liveDeployment"] = true
                chrome.script = true
            }
            return renderer.page("system", values, chrome: chrome)
        }
    }

    static func evaluationSummary(_ evaluation: Evaluation) -> String {
        let verdict = evaluation.gate.map { $0.passed ? "gate passed" : "gate failed" } ?? "no gate"
        return "\(evaluation.model) v\(evaluation.version), \(verdict), \(UIFormat.time(evaluation.createdAt))"
    }

    static func controlRow(_ control: ControlEvaluation) -> [String: Any] {
        [
            "name": control.name, "state": control.satisfied ? "met" : "missing", "css": control.satisfied ? "met" : "missing",
            "detail": control.detail,
            "remedy": control.satisfied ? "" : (control.remedy ?? "see the policy"),
        ]
    }

    /// The five monitoring categories' series over the window's buckets.
    static func monitoringCharts(_ timeline: [WindowProfile]) -> [[String: Any]] {
        func series(_ name: String, _ color: String, _ value: (WindowProfile) -> Double?) -> SVGTimeSeries.Series {
            SVGTimeSeries.Series(
                name: name, color: color,
                points: timeline.compactMap { profile in value(profile).map { SVGTimeSeries.Point(time: profile.bucketStart, value: $0) } })
        }
        let charts = [
            SVGTimeSeries(title: "Requests per bucket", unit: "", series: [series("requests", "#1f5fa8") { Double($0.operations.requests) }]),
            SVGTimeSeries(
                title: "Latency", unit: "ms",
                series: [
                    series("p50", "#1f5fa8") { $0.operations.latency.quantile(0.5) },
                    series("p95", "#8a5a00") { $0.operations.latency.quantile(0.95) },
                    series("p99", "#b3261e") { $0.operations.latency.quantile(0.99) },
                ]),
            SVGTimeSeries(
                title: "Error rate", unit: "%",
                series: [
                    series("errors", "#b3261e") {
                        $0.operations.requests > 0 ? 100 * Double($0.operations.failed) / Double($0.operations.requests) : nil
                    }
                ]),
            SVGTimeSeries(title: "Cost", unit: "USD", series: [series("cost", "#1e7b34") { $0.operations.costUSD }]),
            SVGTimeSeries(
                title: "Flagged rate", unit: "%",
                series: [
                    series("flagged", "#6b3fa0") {
                        $0.operations.requests > 0 ? 100 * Double($0.operations.flagged) / Double($0.operations.requests) : nil
                    }
                ]),
        ]
        return charts.map { ["title": $0.title, "svg": $0.svg] }
    }

    /// Drift per feature: PSI by day as a chart, and over the whole window a table with the reference and current
    /// histograms of each feature.
    static func driftSection(daily: [(day: Int64, drift: DatasetDrift)], overall: DatasetDrift?) -> [String: Any] {
        let colors = ["#1f5fa8", "#b3261e", "#1e7b34", "#8a5a00", "#6b3fa0", "#0e7c86", "#5b6670", "#c2185b"]
        let names = Array(Set(daily.flatMap { $0.drift.features.map(\.feature) })).sorted().prefix(colors.count)
        let series = names.enumerated().map { index, name in
            SVGTimeSeries.Series(
                name: name, color: colors[index],
                points: daily.compactMap { day in
                    day.drift.features.first { $0.feature == name }.map { SVGTimeSeries.Point(time: day.day, value: $0.statistic) }
                })
        }
        var section: [String: Any] = ["hasReference": overall != nil || !daily.isEmpty]
        if !daily.isEmpty { section["chart"] = SVGTimeSeries(title: "PSI by day", unit: "", series: Array(series)).svg }
        if let overall {
            section["share"] = String(format: "%.0f%%", overall.driftShare * 100)
            section["hasFeatures"] = !overall.features.isEmpty
            section["features"] = overall.features.map { feature -> [String: Any] in
                [
                    "name": feature.feature, "statistic": UIFormat.number(feature.statistic), "threshold": UIFormat.number(feature.threshold),
                    "state": feature.drifted ? "drifted" : "stable", "css": feature.drifted ? "missing" : "met",
                    "histogram": SVGHistogram(
                        title: "\(feature.feature): reference and current", bins: feature.bins, reference: feature.referenceShares,
                        current: feature.currentShares
                    ).svg,
                ]
            }
        }
        return section
    }

    /// Each deployment, newest first; a live one with its split, its arms' numbers, the sequential test's p-value
    /// and what the analysis calls for.
    static func deploymentRows(_ deployments: [Deployment], _ service: DeploymentService) async throws -> [[String: Any]] {
        var rows: [[String: Any]] = []
        for deployment in deployments.sorted(by: { $0.createdAt > $1.createdAt }).prefix(10) {
            var row: [String: Any] = [
                "id": deployment.id, "mode": deployment.mode.rawValue, "state": deployment.state.rawValue,
                "created": UIFormat.time(deployment.createdAt),
                "reason": deployment.reason,
            ]
            if let pValue = deployment.pValue, pValue.isFinite { row["pValue"] = UIFormat.number(pValue) }
            if let won = deployment.wonArm { row["won"] = won }
            let pValues = try await service.pValues(id: deployment.id)
            if pValues.count > 1 {
                row["pValueChart"] =
                    SVGTimeSeries(
                        title: "Sequential p-value", unit: "",
                        series: [
                            SVGTimeSeries.Series(
                                name: "p-value", color: "#6b3fa0", points: pValues.map { SVGTimeSeries.Point(time: $0.time, value: $0.pValue) })
                        ]
                    ).svg
            }
            if deployment.state == .active, let (_, analysis) = try? await service.report(id: deployment.id) {
                row["live"] = true
                row["decision"] = "\(analysis.action.rawValue): \(analysis.reason)"
                row["arms"] = analysis.arms.map { arm -> [String: Any] in
                    [
                        "name": arm.arm.name, "version": "\(arm.arm.model) v\(arm.arm.version)", "weight": String(format: "%.0f%%", arm.arm.weight),
                        "requests": arm.requests, "units": arm.units, "errorRate": UIFormat.number(arm.errorRate.map { $0 * 100 }),
                        "p95": UIFormat.number(arm.latencyP95), "accuracy": UIFormat.number(arm.accuracy),
                    ]
                }
            }
            rows.append(row)
        }
        return rows
    }

    @Sendable func documentation(_ request: Request, context: Context) async throws -> Response {
        await showing(context) {
            let documentation = TechnicalDocumentation(
                try await services.register.documentation(systemID: try NativeMessage.parameter("id", context)))
            return PageRenderer.html(DocumentationRenderer.html(documentation), policy: ModelCardRenderer.contentSecurityPolicy)
        }
    }

    // MARK: Models and prompts

    /// A model's or a prompt's newest versions; for a prompt, a line diff between two of them.
    @Sendable func model(_ request: Request, context: Context) async throws -> Response {
        await showing(context) {
            let name = try NativeMessage.parameter("name", context)
            let model = try await services.registry.registeredModel(name: name)
            let versions = try await services.registry.recentVersions(name: name)
            let path = "/ui/models/\(Self.segment(name))"
            var values: [String: Any] = [
                "name": model.name, "description": model.description, "prompt": model.isPrompt, "path": path,
                "versions": versions.map { version -> [String: Any] in
                    [
                        "version": version.version, "href": "\(path)/versions/\(version.version)",
                        "aliases": version.aliases.joined(separator: ", "), "stage": version.currentStage.rawValue,
                        "created": UIFormat.time(version.creationTime), "user": version.userID, "status": version.status.rawValue,
                    ]
                },
            ]
            if model.isPrompt, let newest = versions.first {
                let query = request.uri.queryParameters
                let to = query["to"].flatMap { Int64($0) } ?? newest.version
                let from = query["from"].flatMap { Int64($0) } ?? versions.dropFirst().first?.version ?? newest.version
                values["fromChoices"] = versions.map { ["value": $0.version, "selected": $0.version == from] as [String: Any] }
                values["toChoices"] = versions.map { ["value": $0.version, "selected": $0.version == to] as [String: Any] }
                if query["from"] != nil || query["to"] != nil || versions.count > 1 {
                    let old = try await services.registry.modelVersion(name: name, version: String(from))
                    let new = try await services.registry.modelVersion(name: name, version: String(to))
                    func text(_ version: ModelVersion) -> String { version.tags.first { $0.key == PromptTags.text }?.value ?? "" }
                    values["compared"] = ["from": from, "to": to] as [String: Any]
                    values["diff"] = LineDiff.lines(from: text(old), to: text(new)).map { line -> [String: Any] in
                        switch line {
                        case .same(let text): ["mark": "", "text": text, "css": ""]
                        case .removed(let text): ["mark": "removed", "text": text, "css": "missing"]
                        case .added(let text): ["mark": "added", "text": text, "css": "met"]
                        }
                    }
                }
            }
            return renderer.page("model", values, chrome: chrome(name, "register", context))
        }
    }

    // MARK: Model version

    @Sendable func modelVersion(_ request: Request, context: Context) async throws -> Response {
        await showing(context) {
            try await modelVersionPage(
                name: try NativeMessage.parameter("name", context), number: try NativeMessage.parameter("version", context), request: request, context
            )
        }
    }

    func modelVersionPage(
        name: String, number: String, request: Request, _ context: Context, error: PageRenderer.PageError? = nil, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let version = try await services.registry.modelVersion(name: name, version: number)
        var values: [String: Any] = [
            "name": version.name, "version": version.version, "created": UIFormat.time(version.creationTime),
            "user": version.userID.isEmpty ? "no user" : version.userID, "stage": version.currentStage.rawValue,
            "aliases": version.aliases.isEmpty ? "none" : version.aliases.joined(separator: ", "), "description": version.description,
            "source": version.source, "runID": version.runID,
            "cardHref": "/ui/models/\(Self.segment(version.name))/versions/\(version.version)/card",
        ]
        if let modelID = version.modelID, !modelID.isEmpty { values["modelID"] = modelID }
        if !version.runID.isEmpty, let run = try? await services.runs.run(id: version.runID) {
            values["experimentHref"] = "/ui/experiments/\(Self.segment(run.info.experimentID))"
            values["runHref"] = "/ui/experiments/\(Self.segment(run.info.experimentID))/runs/\(Self.segment(run.info.runID))"
        }
        var systems: [[String: Any]] = []
        if let systemID = try await services.promotion.systemID(owning: name) {
            let system = try await services.register.system(id: systemID)
            let target = version.aliases.first ?? "production"
            let (_, controls) = try await services.promotion.controls(systemID: systemID, model: name, version: number, target: .alias(target))
            systems.append([
                "systemID": system.id, "systemName": system.name, "tier": system.riskTier.rawValue, "target": target,
                "rows": controls.map(Self.controlRow),
            ])
        }
        values["systems"] = systems
        var approvals: [[String: Any]] = []
        if let systemID = systems.first?["systemID"] as? String {
            for approval in try await services.approvals.approvals(systemID: systemID)
            where approval.model == name && approval.version == version.version {
                let why = try await services.approvals.reasonNotToDecide(approval, actor: context.principal)
                approvals.append([
                    "id": approval.id, "created": UIFormat.time(approval.createdAt), "requestedBy": approval.requestedBy, "alias": approval.alias,
                    "status": approval.status.rawValue, "canDecide": why == nil, "why": why as Any,
                    "decisions": approval.decisions.map {
                        "\($0.verdict.rawValue) by \($0.approver) (\($0.role.rawValue))" + ($0.comment.isEmpty ? "" : ": \($0.comment)")
                    },
                    "back": "/ui/models/\(Self.segment(name))/versions/\(version.version)",
                ])
            }
        }
        values["approvals"] = approvals
        if let systemID = systems.first?["systemID"] as? String {
            let evaluations = try await services.evaluations.evaluations(systemID: systemID).filter {
                $0.model == name && $0.version == version.version
            }
            values["evaluations"] = evaluations.sorted { $0.createdAt > $1.createdAt }.prefix(10).map { evaluation -> [String: Any] in
                [
                    "created": UIFormat.time(evaluation.createdAt), "by": evaluation.createdBy, "dataset": evaluation.datasetName,
                    "rows": evaluation.rows,
                    "gate": evaluation.gate.map { $0.passed ? "passed" : "failed" } ?? "no gate",
                    "hasConditions": !(evaluation.gate?.conditions ?? []).isEmpty, "css": evaluation.gate.map { $0.passed ? "met" : "missing" } ?? "",
                    "conditions": (evaluation.gate?.conditions ?? []).map { condition -> [String: Any] in
                        [
                            "condition": condition.condition, "value": UIFormat.number(condition.value),
                            "threshold": UIFormat.number(condition.threshold),
                            "outcome": condition.outcome.rawValue,
                            "css": condition.outcome == .failed ? "missing" : condition.outcome == .passed ? "met" : "",
                        ]
                    },
                ]
            }
        }
        return renderer.page(
            "model-version", values,
            chrome: chrome("\(name) version \(number)", "register", context, request: error == nil ? request : nil, error: error), status: status)
    }

    @Sendable func modelCard(_ request: Request, context: Context) async throws -> Response {
        await showing(context) {
            let card = try await services.registry.modelCard(
                name: try NativeMessage.parameter("name", context), version: try NativeMessage.parameter("version", context))
            return PageRenderer.html(ModelCardRenderer.html(card), policy: ModelCardRenderer.contentSecurityPolicy)
        }
    }

    // MARK: Changes

    /// Runs a form's change and goes back to the version's page: with a notice when it was made, with the
    /// refusal (and, for a promotion, every missing control) when it was not.
    func change(
        _ request: Request, _ context: Context, model: String, version: String, systemID: String, alias: String?,
        _ make: () async throws -> String
    ) async throws -> Response {
        let back = "/ui/models/\(Self.segment(model))/versions/\(Self.segment(version))"
        do {
            return UISessionMiddleware.redirect(to: back, notice: try await make())
        } catch let error as StewardError {
            var shown = PageRenderer.PageError(message: error.message)
            if error.code == .permissionDenied, let alias,
                let (_, controls) = try? await services.promotion.controls(systemID: systemID, model: model, version: version, target: .alias(alias))
            {
                shown.missing = controls.filter { !$0.satisfied }.map { "\($0.name): \($0.detail); to meet it, \($0.remedy ?? "see the policy")" }
            }
            return try await modelVersionPage(
                name: model, number: version, request: request, context, error: shown, status: MLflowResponse.status(for: error.code))
        }
    }

    /// A form about one version of a system's model (promote, roll back, ask for approval), every field required.
    struct VersionForm: Sendable {
        let systemID: String
        let model: String
        let version: String
        let alias: String
    }

    /// Reads a version form and makes its change; `listsControls` shows every missing control on a refusal.
    func changeVersion(
        _ request: Request, _ context: Context, listsControls: Bool, _ make: @escaping @Sendable (VersionForm) async throws -> String
    ) async throws -> Response {
        let form = try await UIForm.read(request)
        let systemID = try NativeMessage.parameter("id", context)
        return await showing(context) {
            try form.refuseUnknown(["model", "version", "alias"])
            let fields = VersionForm(
                systemID: systemID, model: try form.required("model"), version: try form.required("version"), alias: try form.required("alias"))
            return try await change(
                request, context, model: fields.model, version: fields.version, systemID: systemID, alias: listsControls ? fields.alias : nil
            ) { try await make(fields) }
        }
    }

    @Sendable func promote(_ request: Request, context: Context) async throws -> Response {
        try await changeVersion(request, context, listsControls: true) { form in
            _ = try await services.registry.promote(
                systemID: form.systemID, name: form.model, version: form.version, target: .alias(form.alias), archiveExisting: false,
                actor: context.principal)
            return "Version \(form.version) of \(form.model) now holds '\(form.alias)'."
        }
    }

    @Sendable func rollback(_ request: Request, context: Context) async throws -> Response {
        try await changeVersion(request, context, listsControls: false) { form in
            let (from, to) = try await services.registry.rollback(
                systemID: form.systemID, name: form.model, alias: form.alias, actor: context.principal)
            return "'\(form.alias)' of \(form.model) went back from version \(from) to version \(to)."
        }
    }

    @Sendable func requestApproval(_ request: Request, context: Context) async throws -> Response {
        try await changeVersion(request, context, listsControls: false) { form in
            _ = try await services.approvals.requestApproval(
                systemID: form.systemID, model: form.model, version: form.version, alias: form.alias, actor: context.principal)
            return "Approval of version \(form.version) for '\(form.alias)' was requested."
        }
    }

    @Sendable func decide(_ request: Request, context: Context) async throws -> Response {
        let form = try await UIForm.read(request)
        let id = try NativeMessage.parameter("id", context)
        return await showing(context) {
            try form.refuseUnknown(["decision", "comment", "back"])
            guard let verdict = ApprovalDecision.Verdict(rawValue: try form.required("decision")) else {
                throw StewardError.invalidParameter("decision must be approve or reject.")
            }
            let back = Self.localPath(form.value("back"))
            do {
                let approval = try await services.approvals.decide(
                    requestID: id, verdict: verdict, comment: form.value("comment") ?? "", actor: context.principal)
                let notice =
                    "\(verdict == .approve ? "Approved" : "Rejected") version \(approval.version) of \(approval.model) for '\(approval.alias)'."
                return UISessionMiddleware.redirect(to: back, notice: notice)
            } catch let error as StewardError {
                return renderer.page(
                    "problem", ["heading": "Refused", "message": error.message], chrome: chrome("Refused", "approvals", context),
                    status: MLflowResponse.status(for: error.code))
            }
        }
    }

    // MARK: Lists

    @Sendable func approvals(_ request: Request, context: Context) async throws -> Response {
        await showing(context) {
            let inbox = try await services.approvals.inbox(status: .pending, actor: context.principal)
            let rows: [[String: Any]] = inbox.map { item in
                [
                    "id": item.request.id, "model": item.request.model, "version": item.request.version, "alias": item.request.alias,
                    "created": UIFormat.time(item.request.createdAt), "requestedBy": item.request.requestedBy, "status": item.request.status.rawValue,
                    "awaitsYou": item.awaitsActor, "href": "/ui/models/\(Self.segment(item.request.model))/versions/\(item.request.version)",
                ]
            }
            return renderer.page("approvals", ["requests": rows], chrome: chrome("Approvals", "approvals", context, request: request))
        }
    }

    @Sendable func incidents(_ request: Request, context: Context) async throws -> Response {
        await showing(context) {
            let names = Dictionary(try await services.register.systems().map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
            let rows: [[String: Any]] = try await services.incidents.incidents(systemID: nil).map { incident in
                [
                    "id": incident.id, "opened": UIFormat.time(incident.openedAt), "systemID": incident.systemID,
                    "systemName": names[incident.systemID] ?? incident.systemID, "title": incident.title, "severity": incident.severity.rawValue,
                    "status": incident.status.rawValue, "description": incident.description,
                    "steps": Incident.Step.allCases.map { step in
                        ["step": step.rawValue, "done": incident.completedSteps.contains(step)] as [String: Any]
                    },
                    "timeline": incident.timeline.map { entry -> [String: Any] in
                        ["time": UIFormat.time(entry.time), "actor": entry.actor, "kind": entry.kind, "text": entry.text]
                    },
                ]
            }
            return renderer.page("incidents", ["incidents": rows], chrome: chrome("Incidents", "incidents", context))
        }
    }

    @Sendable func audit(_ request: Request, context: Context) async throws -> Response {
        await showing(context) {
            let query = request.uri.queryParameters
            let system = (query["system"].map(String.init) ?? "").trimmingCharacters(in: .whitespaces)
            let actor = (query["actor"].map(String.init) ?? "").trimmingCharacters(in: .whitespaces)
            try services.audit.requireReader(context.principal)
            let chain: String
            let healthy: Bool
            var newest: Int64 = 0
            let (status, fullAt) = try await self.chain.check(services.audit, now: EpochClock.now())
            switch status {
            case .success(let verified):
                chain =
                    "The chain verifies: \(verified.count) events, each sealed by the hash of the one before "
                    + "(the whole chain checked at \(UIFormat.time(fullAt)) UTC, later events as they came)."
                healthy = true
                newest = Int64(verified.count)
            case .failure(let broken):
                chain = "The chain does not verify at event \(broken.sequence): \(broken.reason)."
                healthy = false
                // The events after a break are what an auditor must see: the page starts at the head all the same.
                newest = try await services.audit.latestSequence()
            }
            // Newest first, 100 a page, read from a window of at most 2,000 events before `before`.
            // Clamped to the log: a `before` from a hand-made link can neither overflow nor reach past the head.
            let before = min(max(query["before"].flatMap { Int64($0) } ?? newest + 1, 1), newest + 1)
            let windowStart = max(0, before - 1 - 2000)
            let matched = try await services.audit.events(
                AuditQuery(
                    systemID: system.isEmpty ? nil : system, actor: actor.isEmpty ? nil : actor, afterSequence: windowStart,
                    throughSequence: before - 1, limit: 2000), actor: context.principal)
            let events = Array(matched.suffix(100).reversed())
            let rows: [[String: Any]] = events.map { event in
                [
                    "sequence": event.sequence, "time": UIFormat.time(event.time), "actor": event.actor, "action": event.action,
                    "outcome": event.outcome.rawValue, "css": event.outcome == .allowed ? "" : "missing", "target": event.target,
                    "details": event.details.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", "),
                ]
            }
            var values: [String: Any] = ["chain": chain, "chainCSS": healthy ? "notice" : "error", "system": system, "actor": actor, "events": rows]
            let earlier = matched.count > 100 ? events.last?.sequence : windowStart + 1
            if let earlier, earlier > 1 {
                var parameters = ["before=\(earlier)"]
                if !system.isEmpty { parameters.append("system=" + (system.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")) }
                if !actor.isEmpty { parameters.append("actor=" + (actor.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")) }
                values["earlier"] = "/ui/audit?" + parameters.joined(separator: "&")
            }
            return renderer.page("audit", values, chrome: chrome("Audit log", "audit", context))
        }
    }

    @Sendable func experiments(_ request: Request, context: Context) async throws -> Response {
        await showing(context) {
            let token = request.uri.queryParameters["page"].map(String.init)
            let page = try await services.experiments.searchExperiments(
                filter: nil, orderBy: ["last_update_time DESC"], viewType: nil, maxResults: 100, pageToken: token)
            let rows: [[String: Any]] = page.items.map {
                ["id": $0.id, "name": $0.name, "created": UIFormat.time($0.creationTime), "updated": UIFormat.time($0.lastUpdateTime)]
            }
            var values: [String: Any] = ["experiments": rows]
            if let next = page.nextPageToken {
                values["next"] = "/ui/experiments?page=" + (next.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
            }
            return renderer.page("experiments", values, chrome: chrome("Experiments", "experiments", context))
        }
    }

    /// At most this many parameter and metric columns in a runs table, the most common first.
    static let columns = 8

    @Sendable func experiment(_ request: Request, context: Context) async throws -> Response {
        await showing(context) {
            let id = try NativeMessage.parameter("id", context)
            let experiment = try await services.experiments.experiment(id: id)
            let token = request.uri.queryParameters["page"].map(String.init)
            let page = try await services.runs.searchRuns(
                experimentIDs: [id], filter: nil, viewType: nil, maxResults: 100, orderBy: ["attributes.start_time DESC"], pageToken: token)
            func common(_ keys: [[String]]) -> [String] {
                var counts: [String: Int] = [:]
                for list in keys { for key in list { counts[key, default: 0] += 1 } }
                return counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(Self.columns).map(\.key)
            }
            let paramNames = common(page.items.map { $0.data.params.map(\.key) })
            let metricNames = common(page.items.map { $0.data.metrics.map(\.key) })
            let rows: [[String: Any]] = page.items.map { run in
                let params = Dictionary(run.data.params.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
                let metrics = Dictionary(run.data.metrics.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
                return [
                    "id": run.info.runID, "experimentID": id, "name": run.info.runName.isEmpty ? run.info.runID : run.info.runName,
                    "status": run.info.status.rawValue, "started": UIFormat.time(run.info.startTime), "user": run.info.userID,
                    "params": paramNames.map { params[$0] ?? "" }, "metrics": metricNames.map { UIFormat.number(metrics[$0]) },
                ]
            }
            var values: [String: Any] = [
                "name": experiment.name, "count": rows.count, "runs": rows, "paramNames": paramNames, "metricNames": metricNames,
            ]
            if let next = page.nextPageToken {
                values["next"] =
                    "/ui/experiments/\(Self.segment(id))?page=" + (next.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
            }
            return renderer.page("experiment", values, chrome: chrome(experiment.name, "experiments", context))
        }
    }

    @Sendable func run(_ request: Request, context: Context) async throws -> Response {
        await showing(context) {
            let experimentID = try NativeMessage.parameter("id", context)
            let run = try await services.runs.run(id: try NativeMessage.parameter("run", context))
            guard run.info.experimentID == experimentID else {
                throw StewardError.notFound("Run '\(run.info.runID)' is not in experiment \(experimentID).")
            }
            let experiment = try await services.experiments.experiment(id: experimentID)
            var charts: [[String: Any]] = []
            for metric in run.data.metrics.map(\.key).sorted().prefix(12) {
                let history = try await services.runs.metricHistory(runID: run.info.runID, key: metric, maxResults: 25_000, pageToken: nil).items
                guard history.count > 1 else { continue }
                let steps = Set(history.map(\.step)).count > 1
                let chart = SVGTimeSeries(
                    title: metric + (steps ? " by step" : " over time"), unit: "",
                    series: [
                        SVGTimeSeries.Series(
                            name: metric, color: "#1f5fa8",
                            points: history.map { SVGTimeSeries.Point(time: steps ? $0.step : $0.timestamp, value: $0.value) })
                    ], axis: steps ? .steps : .time)
                charts.append(["title": metric, "svg": chart.svg])
            }
            let values: [String: Any] = [
                "id": run.info.runID, "name": run.info.runName.isEmpty ? run.info.runID : run.info.runName, "experimentID": experimentID,
                "experimentName": experiment.name, "status": run.info.status.rawValue, "started": UIFormat.time(run.info.startTime),
                "ended": UIFormat.optionalTime(run.info.endTime), "user": run.info.userID,
                "params": run.data.params.sorted { $0.key < $1.key }.map { ["key": $0.key, "value": $0.value] },
                "metrics": run.data.metrics.sorted { $0.key < $1.key }.map {
                    ["key": $0.key, "value": UIFormat.number($0.value), "step": $0.step] as [String: Any]
                },
                "tags": run.data.tags.filter { !$0.key.hasPrefix("mlflow.") }.sorted { $0.key < $1.key }.map { ["key": $0.key, "value": $0.value] },
                "charts": charts,
            ]
            return renderer.page("run", values, chrome: chrome(run.info.runName, "experiments", context))
        }
    }

    // MARK: Helpers

    /// A name as one path segment.
    static func segment(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/?#"))) ?? text
    }
}
