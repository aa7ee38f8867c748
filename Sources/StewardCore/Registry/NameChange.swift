/// A change to the name a registered model (or prompt) answers to, which governance decides before it is made:
/// every consumer loads a model by name (`models:/prod-model@production`), so a name must never start to mean a
/// model nobody reviewed.
public enum NameChange: Sendable, Equatable {
    case create(String)
    case rename(from: String, to: String)
    case delete(String)

    /// The change as a verb, for messages: "create", "rename", "delete".
    public var verb: String {
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
/// or name is concerned), and what the write checks again inside its transaction (`NameGuard`; the store also
/// keeps a governed model's old name reserved for its system there), with the entry a refusal there is audited
/// under.
public struct NameDecision: Sendable {
    public var audit: AuditEntry?
    public var guarded: NameGuard
    public var refusal: AuditEntry

    public init(audit: AuditEntry? = nil, guarded: NameGuard, refusal: AuditEntry) {
        self.audit = audit
        self.guarded = guarded
        self.refusal = refusal
    }
}

/// The rules of a name change that its write enforces again inside the transaction, after taking the names'
/// locks: a decision is made before the write, and a link, a promotion or a reservation made in between must not
/// slip through. A model that holds a protected alias or a Production version is never renamed or deleted; a
/// model of a system, or a reserved name, only by a governor.
public struct NameGuard: Sendable {
    /// Whether the actor may rename or delete governed models and take reserved names (compliance or admin).
    public let governor: Bool
    /// Whether the policy in force protects an alias.
    public let isProtected: @Sendable (String) -> Bool

    public init(governor: Bool, isProtected: @escaping @Sendable (String) -> Bool) {
        self.governor = governor
        self.isProtected = isProtected
    }

    /// The refusal of a rename or deletion of a model that holds `held`.
    public static func holding(_ model: String, _ held: String, _ change: NameChange) -> StewardError {
        StewardError(
            .permissionDenied,
            "'\(model)' holds \(held): to \(change.verb) it would change what that resolves to without a promotion. Release it "
                + "first (a reviewer deletes the protected alias or moves the version out of Production; audited), then \(change.verb) the model.")
    }

    /// The refusal of a change a governor must make.
    public static func governorsOnly(_ what: String) -> StewardError {
        StewardError(.permissionDenied, "Only compliance or an admin may \(what); that needs the role compliance or admin.")
    }
}
