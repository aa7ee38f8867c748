import SQLKit
import StewardCore

/// Confirms requests' `PendingCredentials` inside the store's own transactions: the credentials stamp is read in
/// the transaction that writes (or in the statement, `holds`), and a transaction that finds another stamp than the
/// one the credentials were read under is rolled back (`CredentialsMoved`) and the credentials confirmed afresh
/// outside it, never while it holds a pooled connection.
enum CredentialsCheck {
    /// Throws `CredentialsMoved` unless the store's credentials stamp, read on `db`, is `stamp`.
    static func require(_ stamp: Int64, on db: any SQLDatabase) async throws {
        if try await ChangeStamp.credentials.current(on: db) != stamp { throw CredentialsMoved() }
    }

    /// An SQL condition that holds when the store's credentials stamp is `stamp` (always, for nil).
    static func holds(_ stamp: Int64?) -> SQLQueryString {
        guard let stamp else { return "true" }
        return "COALESCE((SELECT value FROM \(unsafeRaw: ChangeStamp.credentials.table)), 0) = \(bind: stamp)"
    }

    /// Writes `calls` (of several requests, merged by a `CallCoalescer`) with `write`, which must find the stamp
    /// that the calls' pending credentials were read under (the `Int64?` it is given, nil when none is pending) and
    /// throw `CredentialsMoved`, having written nothing, when it finds another. Then each pending credential is
    /// confirmed afresh: the calls whose credentials changed fail with `CredentialsChanged`, and the others are
    /// written again with nothing left to confirm.
    static func writing<Call: Sendable, Output: Sendable>(
        _ calls: [Call], credentials: (Call) -> PendingCredentials?,
        _ write: ([Call], Int64?) async throws -> [Result<Output, any Error>]
    ) async throws -> [Result<Output, any Error>] {
        let pending = calls.map { credentials($0).flatMap { $0.isConfirmed ? nil : $0 } }
        let stamps = Set(pending.compactMap { $0?.stamp })
        if stamps.count <= 1 {
            do {
                let outcomes = try await write(calls, stamps.first)
                for credentials in pending { credentials?.markConfirmed() }
                return outcomes
            } catch is CredentialsMoved {}
        }
        let confirmations = await withTaskGroup(of: (Int, (any Error)?).self) { group in
            for (index, credentials) in pending.enumerated() {
                guard let credentials else { continue }
                group.addTask {
                    do {
                        try await credentials.confirm()
                        return (index, nil)
                    } catch {
                        return (index, error)
                    }
                }
            }
            var failures: [Int: any Error] = [:]
            for await (index, error) in group { if let error { failures[index] = error } }
            return failures
        }
        let kept = calls.indices.filter { confirmations[$0] == nil }
        var outcomes = calls.indices.map { index in confirmations[index].map { Result<Output, any Error>.failure($0) } }
        if !kept.isEmpty {
            for (index, outcome) in zip(kept, try await write(kept.map { calls[$0] }, nil)) { outcomes[index] = outcome }
        }
        return outcomes.map { $0! }
    }
}

/// A transaction found another credentials stamp than the one it was to confirm, and wrote nothing.
struct CredentialsMoved: Error {}
