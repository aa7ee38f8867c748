/// Persistence of deployments and the observations their analysis reads; every change audited in its transaction.
public protocol DeploymentRepository: Sendable {
    /// Stores a new deployment, ending the system's live one in the same transaction.
    func createDeployment(_ deployment: Deployment, audit: AuditEntry) async throws
    /// Stores a change to a deployment read at `revision - 1` (`resourceConflict` if it changed since), with its
    /// audit entry, any notifications to put in the webhook outbox and the incident it opens (a rollback's), all
    /// in one transaction.
    func updateDeployment(
        _ deployment: Deployment, audit: AuditEntry?, notifications: [WebhookMessage], opening incident: (Incident, AuditEntry)?
    ) async throws
    func deployment(id: String) async throws -> Deployment
    /// Each p-value the deployment's analysis stored, oldest first, with the challenger's weight then.
    func pValues(deployment id: String) async throws -> [(time: Int64, pValue: Double, challengerWeight: Double)]
    /// The system's deployments, newest first.
    func deployments(systemID: String) async throws -> [Deployment]
    /// The id and revision of the deployment serving the system named by id or by name, if any (its newest one
    /// not ended); `systemNotFound` when no system has that id or name.
    func liveRevision(system: String) async throws -> (id: String, revision: Int64)?
    /// A stamp that stays the same while no deployment or system changed in the store, anywhere (so that what
    /// `liveRevision` answered under it still holds), cheap enough for every served request; nil when the store
    /// cannot tell without reading.
    func changeStamp() -> Int64?
    /// The live deployments still deciding (active canaries and A/B tests), for the analysis schedule.
    func deciding() async throws -> [Deployment]
    /// What each arm served, from the deployment's inference events (`stepStartedAt` bounds `stepUnits`).
    func observations(deployment: Deployment) async throws -> [ArmObservations]
}
