import Foundation
import Hummingbird
import StewardCore

/// Who a request acts for, as far as the server can tell without accounts: the user name of HTTP Basic
/// credentials (what MLflow clients send from `MLFLOW_TRACKING_USERNAME`), otherwise `anonymous`. Recorded in
/// registry history.
enum RequestActor {
    static func name(of request: Request) -> String {
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("basic "),
            let decoded = Data(base64Encoded: String(header.dropFirst(6)).trimmingCharacters(in: .whitespaces)),
            let credentials = String(data: decoded, encoding: .utf8), let user = credentials.split(separator: ":", maxSplits: 1).first,
            !user.isEmpty
        else { return ModelRegistryService.anonymousActor }
        return String(user)
    }
}
