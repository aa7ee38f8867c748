/// Soft-deletion state of experiments and runs; deleted entities stay readable and can be restored.
public enum LifecycleStage: String, Sendable, Codable, CaseIterable {
    case active
    case deleted
}

/// Which lifecycle stages a search returns.
public enum ViewType: String, Sendable, Codable, CaseIterable {
    case activeOnly = "ACTIVE_ONLY"
    case deletedOnly = "DELETED_ONLY"
    case all = "ALL"

    /// The stages this view includes.
    public var stages: [LifecycleStage] {
        switch self {
        case .activeOnly: [.active]
        case .deletedOnly: [.deleted]
        case .all: [.active, .deleted]
        }
    }
}
