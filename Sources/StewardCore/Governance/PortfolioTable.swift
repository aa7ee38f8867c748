/// The portfolio view of the register as rows: one per system, the columns a risk committee reads.
public enum PortfolioTable {
    public static let columns = [
        "id", "name", "status", "risk_tier", "business_owner", "technical_owner", "maturity_level", "controls_met", "controls_missing",
        "last_evaluation", "open_incidents", "review_due",
    ]

    public static func row(_ entry: RegisterEntry) -> [String] {
        [
            entry.system.id, entry.system.name, entry.system.status.rawValue, entry.system.riskTier.rawValue, entry.system.profile.businessOwner,
            entry.system.profile.technicalOwner, "\(entry.maturity.level)", entry.controlsMet.joined(separator: ";"),
            entry.controlsMissing.joined(separator: ";"),
            entry.lastEvaluation.map {
                "\($0.id) (\($0.model)/\($0.version)): \($0.gate.map { $0.passed ? "gate passed" : "gate failed" } ?? "no gate")"
            }
                ?? "",
            "\(entry.openIncidents.count)", entry.system.profile.reviewDue,
        ]
    }

    /// RFC 4180 CSV with a header line. Cells that a spreadsheet would run as a formula are prefixed with `'`.
    public static func csv(_ entries: [RegisterEntry]) -> String {
        ([columns] + entries.map(row)).map { $0.map(cell).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
    }

    static func cell(_ text: String) -> String {
        var value = text
        if let first = value.first, "=+-@\t\r".contains(first) { value = "'" + value }
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
