import Foundation
import NIOCore

/// Registered test sets: uploads stored by content (`datasets/<sha256>.<format>` among Steward's own files) and
/// registered as the next version of their name, and read back only when their content still matches the digest
/// they were registered with (a changed or vanished file is an audited `DATA_LOSS`).
public struct TestSets: Sendable {
    let repository: any EvaluationRepository
    let files: any FileStore
    let tables: any TableReader
    let audit: any AuditRepository
    let now: @Sendable () -> Int64

    public init(
        repository: any EvaluationRepository, files: any FileStore, tables: any TableReader, audit: any AuditRepository,
        now: @escaping @Sendable () -> Int64 = EpochClock.now
    ) {
        self.repository = repository
        self.files = files
        self.tables = tables
        self.audit = audit
        self.now = now
    }

    /// Registers an upload (CSV or JSON Lines) as the next version of the named test set; uploading the same
    /// content again returns the version that has it.
    public func register<Body: AsyncSequence & Sendable>(
        systemID: String, name: String, format: TableFormat, body: Body, maximumBytes: Int64, actor: Principal
    ) async throws -> EvaluationDataset where Body.Element == ByteBuffer {
        guard !name.isEmpty, name.count <= 200, GateSpec.isMetricName(name) else {
            throw StewardError.invalidParameter("A dataset name is 1 to 200 letters, digits, '.', '_' or '-'.")
        }
        if let role = actor.role, !role.canWrite { throw StewardError(.permissionDenied, "User '\(actor.name)' may only read.") }
        return try await files.withStaged(body, maximumBytes: maximumBytes) { file in
            let (columns, rows) = try tables.profile(path: file.path, format: format)
            guard rows > 0 else { throw StewardError.invalidParameter("The dataset has no rows.") }
            let location = try ArtifactPath(decoded: "datasets/\(file.digest).\(format.rawValue)")
            try await files.storeByContent(file, at: location)
            let dataset = EvaluationDataset(
                systemID: systemID, name: name, version: 0, digest: file.digest, format: format.rawValue, rows: rows, columns: columns,
                location: location.string, createdBy: actor.name, createdAt: now())
            return try await repository.registerDataset(
                dataset,
                audit: AuditEntry(
                    actor: actor, action: "dataset.register", target: "dataset:\(name)", systemID: systemID,
                    details: ["digest": file.digest, "rows": "\(rows)"]))
        }
    }

    /// A version of a named test set (the latest when `version` is nil).
    public func dataset(systemID: String, name: String, version: String?) async throws -> EvaluationDataset {
        let number = try version.map { text throws(StewardError) in try ModelRegistryService.versionNumber(text) }
        return try await repository.dataset(systemID: systemID, name: name, version: number)
    }

    /// Runs `body` with a local copy of a registered test set, checked against its digest. `action` names what
    /// reads it, for the audit event of a failed check.
    public func withVerifiedCopy<Result: Sendable>(
        systemID: String, name: String, version: String?, actor: Principal, action: String,
        _ body: (LocalFile, EvaluationDataset) async throws -> Result
    ) async throws -> Result {
        let dataset = try await dataset(systemID: systemID, name: name, version: version)
        return try await files.withCopy(of: try ArtifactPath(decoded: dataset.location)) { file in
            guard let file else { try await refuseChanged(dataset, foundDigest: "none (the file is gone)", actor: actor, action: action) }
            guard file.digest == dataset.digest else { try await refuseChanged(dataset, foundDigest: file.digest, actor: actor, action: action) }
            return try await body(file, dataset)
        }
    }

    /// Refuses a registered test set whose stored file no longer matches the digest it was registered with, and
    /// audits the refusal: evaluations and references made from it would rest on data nobody registered.
    func refuseChanged(_ dataset: EvaluationDataset, foundDigest: String, actor: Principal, action: String) async throws -> Never {
        try await audit.refuse(
            AuditEntry(
                actor: actor, action: "dataset.integrity", target: "dataset:\(dataset.name)@v\(dataset.version)", systemID: dataset.systemID,
                details: ["during": action, "registered_digest": dataset.digest, "found_digest": foundDigest]),
            StewardError(
                .dataLoss,
                "Test set '\(dataset.name)' version \(dataset.version) no longer matches the digest it was registered with "
                    + "(\(dataset.digest), found \(foundDigest)); nothing was computed from it. Register the data again as a new version."),
            now: now())
    }
}
