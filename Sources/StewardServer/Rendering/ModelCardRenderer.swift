import Foundation
import StewardCore

/// Writes a model card as Markdown or as a self-contained HTML page (no scripts, no external resources; every
/// value escaped).
public enum ModelCardRenderer {
    /// What an HTML card may load: nothing but its own inline style.
    public static let contentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'"

    static func number(_ value: Double) -> String {
        value.isFinite ? String(format: "%.6g", value) : (value.isNaN ? "NaN" : (value > 0 ? "Infinity" : "-Infinity"))
    }

    static func event(_ event: RegistryEvent) -> String {
        let version = event.version.map { "version \($0)" } ?? ""
        switch event.kind {
        case .versionCreated: return "\(version) registered"
        case .versionDeleted: return "\(version) deleted"
        case .aliasSet:
            let from = event.fromVersion.map { " (moved from version \($0))" } ?? ""
            return "alias '\(event.alias ?? "")' set to \(version)\(from)"
        case .aliasDeleted: return "alias '\(event.alias ?? "")' removed from \(version)"
        case .stageTransition: return "\(version) moved from \(event.fromStage?.rawValue ?? "?") to \(event.toStage?.rawValue ?? "?")"
        case .modelRenamed: return "model renamed \(event.detail ?? "")"
        case .modelDeleted: return "model deleted"
        }
    }

    static func experiment(_ lineage: ModelCard.Lineage) -> String? {
        lineage.experimentID.map { id in lineage.experimentName.map { "\($0) (\(id))" } ?? id }
    }

    static func approval(_ request: ApprovalRequest) -> String {
        let decisions = request.decisions.map { "\($0.verdict == .approve ? "approved" : "rejected") by \($0.approver) (\($0.role.rawValue))" }
        return "\(request.id) for \(request.alias), asked by \(request.requestedBy): \(request.status.rawValue)"
            + (decisions.isEmpty ? "" : ", " + decisions.joined(separator: ", "))
    }

    // MARK: Markdown

    /// User text inside a Markdown line, shown as typed: what a CommonMark renderer would act on is
    /// backslash-escaped (raw HTML and autolinks: `<` before a letter, `/`, `!` or `?`; links and images: `[`
    /// and `]`; entities: `&` before a letter or `#`; emphasis, code spans, strikethrough and table pipes), and
    /// line breaks become spaces so no text starts a block of its own. Comparisons such as `auc <= 0.9` and
    /// names such as `roc_auc` stay readable.
    static func inline(_ text: String) -> String {
        let characters = Array(text)
        var result = ""
        result.reserveCapacity(characters.count)
        for (index, character) in characters.enumerated() {
            let next = index + 1 < characters.count ? characters[index + 1] : " "
            let previous = index > 0 ? characters[index - 1] : " "
            switch character {
            case "\\", "`", "*", "[", "]", "|", "~":
                result.append("\\")
            case "<" where next.isLetter || next == "/" || next == "!" || next == "?":
                result.append("\\")
            case "&" where next.isLetter || next == "#":
                result.append("\\")
            case "_" where !(previous.isLetter || previous.isNumber) || !(next.isLetter || next.isNumber):
                result.append("\\")
            case "\n", "\r", "\r\n":
                result.append(" ")
                continue
            default:
                break
            }
            result.append(character)
        }
        return result
    }

    /// User text as a Markdown code span, fenced by more backticks than any run inside it so it cannot close early.
    static func code(_ text: String) -> String {
        var longest = 0
        var run = 0
        for character in text {
            run = character == "`" ? run + 1 : 0
            longest = max(longest, run)
        }
        let fence = String(repeating: "`", count: longest + 1)
        let flat = text.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
        return fence + " " + flat + " " + fence
    }

    public static func markdown(_ card: ModelCard) -> String {
        let cell = inline
        var lines: [String] = []
        let details = card.details
        lines.append("# Model card: \(inline(details.name)) version \(details.version)")
        lines.append("")
        lines.append("## Model details")
        lines.append("- **Purpose:** \(details.purpose.isEmpty ? "_not stated_" : inline(details.purpose))")
        if !details.versionDescription.isEmpty { lines.append("- **This version:** \(inline(details.versionDescription))") }
        lines.append("- **Owners:** \(details.owners.isEmpty ? "_not stated_" : inline(details.owners.joined(separator: ", ")))")
        lines.append("- **Registered:** \(EpochClock.text(details.createdAt)); last updated \(EpochClock.text(details.updatedAt))")
        lines.append("- **Source:** \(code(details.source)); files at \(code(details.storageLocation))")
        if let digest = details.contentDigest { lines.append("- **Content digest:** \(code(digest)) (immutable once registered)") }
        if !details.tags.isEmpty { lines.append("- **Tags:** " + details.tags.map { code("\($0.key)=\($0.value)") }.joined(separator: ", ")) }
        lines.append("")
        lines.append("## Model parameters")
        if let type = card.parameters.modelType { lines.append("- **Model type:** \(inline(type))") }
        if card.parameters.hyperparameters.isEmpty {
            lines.append("No hyperparameters were logged.")
        } else {
            lines.append("| hyperparameter | value |")
            lines.append("|---|---|")
            for param in card.parameters.hyperparameters { lines.append("| \(cell(param.key)) | \(cell(param.value)) |") }
        }
        lines.append("")
        lines.append("### Training data")
        if card.parameters.datasets.isEmpty {
            lines.append("No datasets were logged with the training run.")
        } else {
            lines.append("| dataset | digest | context | source |")
            lines.append("|---|---|---|---|")
            for dataset in card.parameters.datasets {
                lines.append(
                    "| \(cell(dataset.name)) | \(cell(dataset.digest)) | \(cell(dataset.context ?? "")) | \(cell(dataset.sourceType)): \(cell(dataset.source)) |"
                )
            }
        }
        lines.append("")
        lines.append("## Quantitative analysis")
        if card.metrics.isEmpty {
            lines.append("No metrics were logged.")
        } else {
            lines.append("| metric | value | step | dataset | from |")
            lines.append("|---|---|---|---|---|")
            for metric in card.metrics {
                lines.append("| \(cell(metric.name)) | \(number(metric.value)) | \(metric.step) | \(cell(metric.dataset ?? "")) | \(metric.origin) |")
            }
        }
        lines.append("")
        lines.append("## Evaluation gate")
        if let evaluation = card.evaluation {
            lines.append(
                "Evaluation \(evaluation.id) on \(cell(evaluation.datasetName)) (sha256 \(cell(evaluation.datasetDigest)), \(evaluation.rows) rows), "
                    + "run \(cell(evaluation.runID)): "
                    + (evaluation.gate.map { "gate \(cell($0.gate)) **\($0.passed ? "passed" : "failed")**." } ?? "no gate."))
            if let gate = evaluation.gate {
                lines.append("")
                lines.append("| condition | value | threshold | result |")
                lines.append("|---|---|---|---|")
                for condition in gate.conditions {
                    lines.append(
                        "| \(cell(condition.condition)) | \(condition.value.map(number) ?? "-") | \(condition.threshold.map(number) ?? "-") | "
                            + "\(condition.outcome.rawValue) |")
                }
            }
        } else {
            lines.append("Not evaluated.")
        }
        lines.append("")
        lines.append("## Governance")
        if let governance = card.governance {
            lines.append("- **AI system:** \(inline(governance.systemName)) (\(governance.systemID)), \(governance.riskTier.rawValue) risk")
            lines.append("- **Controls for \(inline(governance.target)):**")
            for control in governance.controls {
                lines.append("  - \(control.satisfied ? "met" : "**missing**") \(inline(control.name)): \(inline(control.detail))")
            }
            lines.append("- **Approval requests:** \(governance.approvals.isEmpty ? "none" : "")")
            for approval in governance.approvals { lines.append("  - \(inline(Self.approval(approval)))") }
        } else {
            lines.append("Not part of a registered AI system.")
        }
        lines.append("")
        lines.append("## Considerations")
        let considerations = card.considerations
        lines.append("- **Intended use:** \(considerations.intendedUse.map(inline) ?? "_not stated_")")
        lines.append("- **Out-of-scope uses:** \(considerations.outOfScopeUses.map(inline) ?? "_not stated_")")
        lines.append("- **Known limitations:** \(considerations.limitations.map(inline) ?? "_not stated_")")
        lines.append("- **Ethical considerations:** \(considerations.ethicalConsiderations.map(inline) ?? "_not stated_")")
        lines.append("")
        lines.append("## Deployment")
        lines.append("- **Stage:** \(card.deployment.stage.rawValue)")
        lines.append("- **Aliases:** \(card.deployment.aliases.isEmpty ? "none" : inline(card.deployment.aliases.joined(separator: ", ")))")
        for event in card.deployment.history {
            lines.append("- \(EpochClock.text(event.time)) by \(inline(event.actor)): \(inline(Self.event(event)))")
        }
        lines.append("")
        lines.append("## Lineage")
        let lineage = card.lineage
        lines.append("- **Experiment:** \(Self.experiment(lineage).map(inline) ?? "unknown")")
        lines.append("- **Training run:** \(lineage.runID.map { inline("\($0) (\(lineage.runName ?? ""))") } ?? "none")")
        if let user = lineage.runUser { lines.append("- **Trained by:** \(inline(user))") }
        lines.append("- **Logged model:** \(lineage.loggedModelID.map { inline("\($0) (\(lineage.loggedModelName ?? ""))") } ?? "none")")
        lines.append("- **Registered version:** \(inline(card.details.name))/\(card.details.version)")
        return lines.joined(separator: "\n") + "\n"
    }

    // MARK: HTML

    static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.count)
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.append(character)
            }
        }
        return result
    }

    public static func html(_ card: ModelCard) -> String {
        let details = card.details
        func row(_ cells: [String]) -> String { "<tr>" + cells.map { "<td>\(escape($0))</td>" }.joined() + "</tr>" }
        func header(_ cells: [String]) -> String { "<tr>" + cells.map { "<th>\(escape($0))</th>" }.joined() + "</tr>" }
        func item(_ label: String, _ value: String?) -> String {
            "<li><strong>\(escape(label)):</strong> \(value.map(escape) ?? "<em>not stated</em>")</li>"
        }
        var body = ""
        body +=
            "<h1>Model card: <span id=\"model-name\">\(escape(details.name))</span> version <span id=\"model-version\">\(details.version)</span></h1>"
        body += "<section id=\"model-details\"><h2>Model details</h2><ul>"
        body += item("Purpose", details.purpose.isEmpty ? nil : details.purpose)
        if !details.versionDescription.isEmpty { body += item("This version", details.versionDescription) }
        body += item("Owners", details.owners.isEmpty ? nil : details.owners.joined(separator: ", "))
        body += item("Registered", "\(EpochClock.text(details.createdAt)); last updated \(EpochClock.text(details.updatedAt))")
        body += item("Source", "\(details.source); files at \(details.storageLocation)")
        if let digest = details.contentDigest { body += item("Content digest", "\(digest) (immutable once registered)") }
        if !details.tags.isEmpty { body += item("Tags", details.tags.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")) }
        body += "</ul></section>"
        body += "<section id=\"model-parameters\"><h2>Model parameters</h2>"
        if let type = card.parameters.modelType { body += "<p><strong>Model type:</strong> \(escape(type))</p>" }
        if card.parameters.hyperparameters.isEmpty {
            body += "<p>No hyperparameters were logged.</p>"
        } else {
            body += "<table id=\"hyperparameters\">" + header(["hyperparameter", "value"])
            body += card.parameters.hyperparameters.map { row([$0.key, $0.value]) }.joined() + "</table>"
        }
        body += "<h3>Training data</h3>"
        if card.parameters.datasets.isEmpty {
            body += "<p>No datasets were logged with the training run.</p>"
        } else {
            body += "<table id=\"datasets\">" + header(["dataset", "digest", "context", "source"])
            body += card.parameters.datasets.map { row([$0.name, $0.digest, $0.context ?? "", "\($0.sourceType): \($0.source)"]) }.joined()
            body += "</table>"
        }
        body += "</section><section id=\"quantitative-analysis\"><h2>Quantitative analysis</h2>"
        if card.metrics.isEmpty {
            body += "<p>No metrics were logged.</p>"
        } else {
            body += "<table id=\"metrics\">" + header(["metric", "value", "step", "dataset", "from"])
            body += card.metrics.map { row([$0.name, number($0.value), String($0.step), $0.dataset ?? "", $0.origin]) }.joined() + "</table>"
        }
        body += "</section><section id=\"evaluation-gate\"><h2>Evaluation gate</h2>"
        if let evaluation = card.evaluation {
            body += "<ul>" + item("Evaluation", "\(evaluation.id) (run \(evaluation.runID))")
            body += item("Test set", "\(evaluation.datasetName), sha256 \(evaluation.datasetDigest), \(evaluation.rows) rows")
            body += item("Gate", evaluation.gate.map { "\($0.gate): \($0.passed ? "passed" : "failed")" } ?? "none") + "</ul>"
            if let gate = evaluation.gate {
                body += "<table id=\"gate\">" + header(["condition", "value", "threshold", "result"])
                body +=
                    gate.conditions.map { row([$0.condition, $0.value.map(number) ?? "-", $0.threshold.map(number) ?? "-", $0.outcome.rawValue]) }
                    .joined() + "</table>"
            }
        } else {
            body += "<p>Not evaluated.</p>"
        }
        body += "</section><section id=\"governance\"><h2>Governance</h2>"
        if let governance = card.governance {
            body += "<ul>" + item("AI system", "\(governance.systemName) (\(governance.systemID)), \(governance.riskTier.rawValue) risk") + "</ul>"
            body += "<table id=\"controls\">" + header(["control for \(governance.target)", "met", "detail"])
            body += governance.controls.map { row([$0.name, $0.satisfied ? "yes" : "no", $0.detail]) }.joined() + "</table>"
            body +=
                "<ul>" + item("Approval requests", governance.approvals.isEmpty ? "none" : governance.approvals.map(approval).joined(separator: "; "))
            body += "</ul>"
        } else {
            body += "<p>Not part of a registered AI system.</p>"
        }
        let considerations = card.considerations
        body += "</section><section id=\"considerations\"><h2>Considerations</h2><ul>"
        body += item("Intended use", considerations.intendedUse) + item("Out-of-scope uses", considerations.outOfScopeUses)
        body += item("Known limitations", considerations.limitations) + item("Ethical considerations", considerations.ethicalConsiderations)
        body += "</ul></section><section id=\"deployment\"><h2>Deployment</h2><ul>"
        body += item("Stage", card.deployment.stage.rawValue)
        body += item("Aliases", card.deployment.aliases.isEmpty ? "none" : card.deployment.aliases.joined(separator: ", "))
        body += "</ul>"
        if !card.deployment.history.isEmpty {
            body += "<table id=\"history\">" + header(["when", "who", "what"])
            body += card.deployment.history.map { row([EpochClock.text($0.time), $0.actor, event($0)]) }.joined() + "</table>"
        }
        let lineage = card.lineage
        body += "</section><section id=\"lineage\"><h2>Lineage</h2><ul>"
        body += item("Experiment", Self.experiment(lineage) ?? "unknown")
        body += item("Training run", lineage.runID.map { "\($0) (\(lineage.runName ?? ""))" } ?? "none")
        if let user = lineage.runUser { body += item("Trained by", user) }
        body += item("Logged model", lineage.loggedModelID.map { "\($0) (\(lineage.loggedModelName ?? ""))" } ?? "none")
        body += item("Registered version", "\(details.name)/\(details.version)")
        body += "</ul></section>"
        return page(title: "Model card: \(escape(details.name)) v\(details.version)", body: body)
    }

    /// A self-contained page around `body` (HTML already escaped): the house style, and a policy that lets it load nothing.
    static func page(title: String, body: String) -> String {
        let style = """
            body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1d2330;line-height:1.45}\
            h1{font-size:1.6rem}h2{border-bottom:1px solid #d8dde6;padding-bottom:.2rem;margin-top:2rem}\
            table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{border:1px solid #d8dde6;padding:.3rem .5rem;text-align:left;\
            vertical-align:top;word-break:break-word}th{background:#f2f4f8}
            """
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>\(title)</title>
            <meta http-equiv="Content-Security-Policy" content="\(contentSecurityPolicy)">
            <style>\(style)</style></head><body>
            \(body)
            </body></html>

            """
    }
}
