import Foundation

/// Keeps each model version's files what they were when it was registered: records their manifest at
/// registration and checks the files against it wherever a decision or a consumer relies on them (approval,
/// promotion, download). A mismatch is refused as `DATA_LOSS` naming what changed, and audited.
public struct ContentIntegrity: Sendable {
    let registry: any ModelRegistryRepository
    let reader: any ContentReader
    let audit: any AuditRepository
    let now: @Sendable () -> Int64
    let recent = RecentVerifications(window: 60_000)

    public init(
        registry: any ModelRegistryRepository, reader: any ContentReader, audit: any AuditRepository,
        now: @escaping @Sendable () -> Int64 = EpochClock.now
    ) {
        self.registry = registry
        self.reader = reader
        self.audit = audit
        self.now = now
    }

    /// The manifest a new version is registered with: a prompt's template, or the files at its storage location
    /// (nil when the server does not store them).
    public func manifest(storageLocation: String, tags: [Tag], isPrompt: Bool) async throws -> ContentManifest? {
        if isPrompt {
            return ContentManifest(prompt: tags)
        }
        return try await reader.manifest(of: storageLocation)
    }

    /// Checks a version's content against its recorded manifest and returns the digest, or nil when the server
    /// does not store its files. A version registered before manifests were kept gets its manifest recorded now.
    /// `action` names what relies on the check (`promotion`, `approval.approve`, `download`), `systemID` the
    /// system the version belongs to, for the audit event of a failure. With `reusingRecent` (downloads only), a
    /// check that passed in the last minute stands while the files' fingerprint is unchanged (`RecentVerifications`).
    public func verify(
        _ version: ModelVersion, actor: Principal, action: String, systemID: String?, reusingRecent: Bool = false
    ) async throws -> String? {
        let key = "\(version.name)\u{0}\(version.version)"
        let fingerprint = reusingRecent && !version.isPrompt ? try await reader.fingerprint(of: version.storageLocation) : nil
        if let fingerprint, let digest = await recent.digest(of: key, fingerprint: fingerprint, now: now()) { return digest }
        do {
            let digest = try await check(version, actor: actor, action: action, systemID: systemID)
            if let digest, let fingerprint {
                await recent.note(key, .init(digest: digest, fingerprint: fingerprint, at: now()))
            } else {
                await recent.forget(key)
            }
            return digest
        } catch {
            await recent.forget(key)
            throw error
        }
    }

    func check(_ version: ModelVersion, actor: Principal, action: String, systemID: String?) async throws -> String? {
        guard let current = try await manifest(storageLocation: version.storageLocation, tags: version.tags, isPrompt: version.isPrompt) else {
            return nil
        }
        guard let recorded = try await registry.contentManifest(name: version.name, version: version.version) else {
            try await registry.recordContentManifest(name: version.name, version: version.version, current)
            return current.digest
        }
        guard recorded.digest != current.digest else { return current.digest }
        let changes = recorded.differences(to: current)
        let error = StewardError(
            .dataLoss,
            "Version \(version.version) of '\(version.name)' no longer matches what was registered (\(recorded.digest)): "
                + changes.prefix(10).joined(separator: ", ") + (changes.count > 10 ? " and \(changes.count - 10) more" : "")
                + ". Nothing relies on a changed version: register the intended files as a new version.")
        try await audit.refuse(
            AuditEntry(
                actor: actor, action: "model_version.integrity", target: "model:\(version.name)/\(version.version)", systemID: systemID,
                details: [
                    "during": action, "registered_digest": recorded.digest, "found_digest": current.digest,
                    "changes": changes.prefix(20).joined(separator: "; "),
                ]), error, now: now())
    }

    /// The digest of a version's content, checked against what was registered (an integrity failure is refused
    /// and audited). A version whose files the server does not store cannot be checked, so nothing may rest on it.
    func verifiedDigest(of version: ModelVersion, actor: Principal, action: String, refusing entry: AuditEntry) async throws -> String {
        if let digest = try await verify(version, actor: actor, action: action, systemID: entry.systemID) { return digest }
        try await audit.refuse(
            entry,
            StewardError(
                .permissionDenied,
                "Version \(version.version) of '\(version.name)' keeps its files at '\(version.storageLocation)', which Steward does not store, so "
                    + "it cannot tell whether they change after they are approved. Register the version from files logged to Steward "
                    + "(mlflow-artifacts:/…)."), now: now())
    }
}
