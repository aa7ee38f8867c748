/// Something that went wrong with a system in use, worked through the playbook: notify the owner, diagnose,
/// roll back; with a timeline of everything said and done.
public struct Incident: Sendable, Equatable, Codable {
    public enum Severity: String, Sendable, Codable, CaseIterable, NamedChoice {
        public static let choiceName = "severity"

        case low
        case medium
        case high
        case critical
    }

    public enum Status: String, Sendable, Codable, CaseIterable {
        case open
        case investigating
        case mitigated
        case resolved
    }

    /// The playbook's steps, in the order they are usually taken.
    public enum Step: String, Sendable, Codable, CaseIterable {
        case notifyOwner = "notify_owner"
        case diagnose
        case rollBack = "roll_back"
    }

    public struct Entry: Sendable, Equatable, Codable {
        public let time: Int64
        public let actor: String
        public let kind: String
        public let text: String

        public init(time: Int64, actor: String, kind: String, text: String) {
            self.time = time
            self.actor = actor
            self.kind = kind
            self.text = text
        }
    }

    public let id: String
    public let systemID: String
    public var model: String?
    public var version: Int64?
    public var severity: Severity
    public var title: String
    public var description: String
    public var status: Status
    public let openedBy: String
    public let openedAt: Int64
    public var resolvedAt: Int64?
    public var resolution: String
    public var timeline: [Entry]

    public init(
        id: String, systemID: String, model: String?, version: Int64?, severity: Severity, title: String, description: String,
        status: Status, openedBy: String, openedAt: Int64, resolvedAt: Int64?, resolution: String, timeline: [Entry]
    ) {
        self.id = id
        self.systemID = systemID
        self.model = model
        self.version = version
        self.severity = severity
        self.title = title
        self.description = description
        self.status = status
        self.openedBy = openedBy
        self.openedAt = openedAt
        self.resolvedAt = resolvedAt
        self.resolution = resolution
        self.timeline = timeline
    }

    /// Steps of the playbook already done, from the timeline.
    public var completedSteps: [Step] {
        Step.allCases.filter { step in timeline.contains { $0.kind == "step" && $0.text == step.rawValue } }
    }
}
