import Foundation
import StewardCore

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A model served with MLflow's pyfunc scoring protocol: `POST` `{"dataframe_split": {"columns", "data"}}`,
/// answer `{"predictions": [...]}` (a bare list is accepted too). Numeric cells are sent as numbers.
struct PyfuncEndpoint: ModelEndpoint {
    let url: URL
    let timeout: TimeInterval

    func predict(columns: [String], rows: [[String]]) async throws -> [String] {
        let data = rows.map { row in row.map { cell -> Any in Double(cell).map { $0 as Any } ?? cell } }
        let body = try JSONSerialization.data(withJSONObject: ["dataframe_split": ["columns": columns, "data": data]])
        var request = URLRequest(url: url, timeoutInterval: timeout)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = body
        let reply: Data
        let response: URLResponse
        do {
            (reply, response) = try await URLSession.shared.data(for: request)
        } catch {
            throw StewardError(.temporarilyUnavailable, "The endpoint \(url.absoluteString) could not be reached: \(error.localizedDescription)")
        }
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard (200..<300).contains(status) else {
            throw StewardError.invalidParameter("The endpoint answered HTTP \(status): \(String(decoding: reply.prefix(300), as: UTF8.self))")
        }
        let parsed = try? JSONSerialization.jsonObject(with: reply, options: [.fragmentsAllowed])
        guard let list = (parsed as? [String: Any])?["predictions"] as? [Any] ?? parsed as? [Any] else {
            throw StewardError.invalidParameter("The endpoint's answer is not {\"predictions\": [...]}.")
        }
        return list.map { value in
            if let number = value as? NSNumber, type(of: value) != Bool.self { return number.stringValue }
            if let flag = value as? Bool { return flag ? "true" : "false" }
            if let text = value as? String { return text }
            return "\(value)"
        }
    }
}
