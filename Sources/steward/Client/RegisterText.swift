import Foundation

/// How the command line prints register entries it read from the API: a system with its tier and, per model
/// and protected target, each control, with the command that meets it when it is not met.
enum RegisterText {
    typealias Object = [String: Any]

    static func system(_ system: Object) -> String {
        let maturity = (system["maturity"] as? Object)?["level"].map { "maturity \($0)" } ?? ""
        var lines = [
            "\(system["id"] ?? "") \(system["name"] ?? ""): \(system["risk_tier"] ?? "") tier, \(system["status"] ?? "") \(maturity)"
                .trimmingCharacters(in: .whitespaces)
        ]
        if let rationale = system["tier_rationale"] as? String, !rationale.isEmpty { lines.append("  why: \(rationale)") }
        if let purpose = system["purpose"] as? String, !purpose.isEmpty { lines.append("  purpose: \(purpose)") }
        let models = (system["models"] as? [Object] ?? []).map { "\($0["name"] ?? "")\(($0["kind"] as? String) == "prompt" ? " (prompt)" : "")" }
        lines.append(
            "  models: " + (models.isEmpty ? "none linked (steward systems link \(system["id"] ?? "") --model NAME)" : models.joined(separator: ", "))
        )
        for component in system["controls"] as? [Object] ?? [] {
            let version = component["version"].map { " version \($0)" } ?? " (no version yet)"
            for target in component["targets"] as? [Object] ?? [] {
                let missing = target["missing"] as? [String] ?? []
                let verdict = missing.isEmpty ? "every control holds" : "\(missing.count) control\(missing.count == 1 ? "" : "s") missing"
                lines.append("  \(component["model"] ?? "")\(version) for \(target["target"] ?? ""): \(verdict)")
                for control in target["controls"] as? [Object] ?? [] {
                    let satisfied = control["satisfied"] as? Bool ?? false
                    lines.append("    \(satisfied ? "ok  " : "MISSING") \(control["name"] ?? ""): \(control["detail"] ?? "")")
                    if !satisfied, let command = control["command"] as? String { lines.append("        \(command)") }
                }
            }
        }
        return lines.joined(separator: "\n")
    }

    /// One line per model and protected target: what a promotion would lack.
    static func controls(_ system: Object) -> String {
        let components = system["controls"] as? [Object] ?? []
        guard !components.isEmpty else { return "no model linked" }
        return components.map { component in
            let version = component["version"].map { " v\($0)" } ?? ""
            let targets = (component["targets"] as? [Object] ?? []).map { target in
                let missing = target["missing"] as? [String] ?? []
                return "\(target["target"] ?? ""): " + (missing.isEmpty ? "all controls met" : "missing " + missing.joined(separator: ", "))
            }
            return "\(component["model"] ?? "")\(version) (" + targets.joined(separator: "; ") + ")"
        }.joined(separator: "; ")
    }
}
