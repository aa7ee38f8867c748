import Foundation
import StewardCore

/// Where a store keeps its data, parsed from `--store`: `sqlite:PATH` or
/// `postgres://user:password@host:port/database`.
public enum DatabaseLocation: Sendable, Equatable, CustomStringConvertible {
    case sqlite(path: String)
    case postgres(host: String, port: Int, username: String, password: String?, database: String)

    public init(parsing text: String) throws(StewardError) {
        if text.hasPrefix("sqlite:") {
            var path = String(text.dropFirst("sqlite:".count))
            if path.hasPrefix("///") { path = String(path.dropFirst(2)) } else if path.hasPrefix("//") { path = String(path.dropFirst(2)) }
            guard !path.isEmpty else { throw .invalidParameter("The SQLite store URL needs a file path: sqlite:PATH") }
            self = .sqlite(path: path)
            return
        }
        guard text.hasPrefix("postgres://") || text.hasPrefix("postgresql://"), let url = URLComponents(string: text),
            let host = url.host, !host.isEmpty
        else {
            throw .invalidParameter("Unsupported store URL '\(text)': use sqlite:PATH or postgres://user:password@host:port/database")
        }
        let database = url.path.hasPrefix("/") ? String(url.path.dropFirst()) : url.path
        guard !database.isEmpty else { throw .invalidParameter("The PostgreSQL store URL needs a database name: \(text)") }
        self = .postgres(
            host: host, port: url.port ?? 5432, username: url.percentEncodedUser.flatMap { $0.removingPercentEncoding } ?? "postgres",
            password: url.percentEncodedPassword.flatMap { $0.removingPercentEncoding }, database: database)
    }

    /// The location with any password masked, for logs and banners.
    public var description: String {
        switch self {
        case .sqlite(let path): "sqlite:\(path)"
        case .postgres(let host, let port, let username, let password, let database):
            "postgres://\(username)\(password == nil ? "" : ":***")@\(host):\(port)/\(database)"
        }
    }
}
