import Foundation
import StewardCore

/// A model served with MLflow's pyfunc scoring protocol: `POST` `{"dataframe_split": {"columns", "data"}}`,
/// answer `{"predictions": [...]}` (a bare list is accepted too). Numeric cells are sent as numbers.
struct PyfuncEndpoint: ModelEndpoint {
    let url: URL
    let timeout: TimeInterval

    func predict(columns: [String], rows: [[String]]) async throws -> [String] {
        let data = rows.map { row in row.map { cell -> Any in Double(cell).map { $0 as Any } ?? cell } }
        let parsed = try await OutboundJSON.post(
            ["dataframe_split": ["columns": columns, "data": data]], to: url, timeout: timeout, service: "endpoint")
        guard let list = (parsed as? [String: Any])?["predictions"] as? [Any] ?? parsed as? [Any] else {
            throw StewardError.invalidParameter("The endpoint's answer is not {\"predictions\": [...]}.")
        }
        return list.map(TableColumn.cellText)
    }
}
