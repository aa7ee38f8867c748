/// The governance failures a client can cause, worded once.
public enum GovernanceErrors {
    public static func systemNotFound(_ id: String) -> StewardError {
        .notFound("AI system '\(id)' does not exist in the register.")
    }

    public static func systemNameTaken(_ name: String) -> StewardError {
        .alreadyExists("An AI system named '\(name)' is already registered.")
    }

    public static func componentTaken(_ name: String, system: String) -> StewardError {
        StewardError(.resourceConflict, "'\(name)' already belongs to AI system '\(system)'; a model belongs to one system at most.")
    }

    public static func componentNotFound(_ name: String) -> StewardError {
        .notFound("Registered model or prompt '\(name)' does not exist; register it before linking it to a system.")
    }

    public static func approvalNotFound(_ id: String) -> StewardError {
        .notFound("Approval request '\(id)' does not exist.")
    }

    public static func alreadyDecided(_ approver: String, request: String) -> StewardError {
        StewardError(.resourceConflict, "User '\(approver)' already decided on approval request '\(request)'.")
    }

    public static func incidentNotFound(_ id: String) -> StewardError {
        .notFound("Incident '\(id)' does not exist.")
    }

    public static func deploymentNotFound(_ id: String) -> StewardError {
        .notFound("Deployment '\(id)' does not exist.")
    }
}
