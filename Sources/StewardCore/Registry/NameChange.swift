/// A change to the name a registered model (or prompt) answers to, which governance decides before it is made:
/// every consumer loads a model by name (`models:/prod-model@production`), so a name must never start to mean a
/// model nobody reviewed.
public enum NameChange: Sendable, Equatable {
    case create(String)
    case rename(from: String, to: String)
    case delete(String)

    /// The change as a verb, for messages: "create", "rename", "delete".
    var verb: String {
        switch self {
        case .create: "create"
        case .rename: "rename"
        case .delete: "delete"
        }
    }
}

/// A name that a model of an AI system held before it was renamed or deleted, kept so that taking it again is a
/// governance decision rather than a contributor's.
public struct NameReservation: Sendable, Equatable {
    public let name: String
    public let systemID: String

    public init(name: String, systemID: String) {
        self.name = name
        self.systemID = systemID
    }
}

/// What governance decided about a name change: the audit entry to record with it (nil when no governed model
/// or name is concerned), and the name to keep reserved for the system that held it.
public struct NameDecision: Sendable {
    public var audit: AuditEntry?
    public var reservation: NameReservation?

    public init(audit: AuditEntry? = nil, reservation: NameReservation? = nil) {
        self.audit = audit
        self.reservation = reservation
    }
}
