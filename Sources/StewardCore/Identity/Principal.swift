/// Who a request acts for. With authentication on, always a verified user; with it off, a request without
/// a valid token is unauthenticated and carries at most a self-declared name (the Basic-auth user name MLflow
/// clients send), which history records but which grants no governance rights.
public struct Principal: Sendable, Equatable, Codable {
    public let name: String
    /// The verified user's role; nil when unauthenticated.
    public let role: Role?

    public init(name: String, role: Role?) {
        self.name = name
        self.role = role
    }

    /// The name unauthenticated requests without a declared user act under.
    public static let anonymousName = "anonymous"
    public static let anonymous = Principal(name: anonymousName, role: nil)

    /// A verified user.
    public static func user(_ name: String, role: Role) -> Principal { Principal(name: name, role: role) }

    /// A self-declared, unverified name (auth off).
    public static func declared(_ name: String) -> Principal { Principal(name: name, role: nil) }

    public var isAuthenticated: Bool { role != nil }

    /// Requires a verified identity holding one of `roles`, whatever the server's authentication setting:
    /// governance decisions are always attributable.
    public func require(_ roles: Set<Role>, to action: String) throws(StewardError) {
        guard let role else {
            throw StewardError(.unauthenticated, "To \(action) you must authenticate with an API token (Authorization: Bearer …).")
        }
        guard roles.contains(role) else {
            throw StewardError(
                .permissionDenied,
                "User '\(name)' (\(role.rawValue)) may not \(action); that needs the role "
                    + Role.allCases.filter(roles.contains).map(\.rawValue).joined(separator: " or ") + ".")
        }
    }
}
