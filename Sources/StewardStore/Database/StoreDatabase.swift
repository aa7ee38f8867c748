import SQLKit
import ServiceLifecycle

/// A database a store runs on: reads see committed data, a write is one atomic transaction that is durable
/// when the call returns.
///
/// Conforms to `Service`: `run()` drives the engine's background work (SQLite's group-commit writer,
/// PostgreSQL's connection pool) until cancelled, and calls made before it starts simply wait.
public protocol StoreDatabase: Service, Sendable {
    var engine: SQLEngine { get }

    /// Runs `body` against committed data.
    func read<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T

    /// Runs `body` as one transaction: everything it wrote is committed when this returns, and nothing is if
    /// it throws.
    func write<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T

    /// A value that stays the same while nothing that `stamp` follows was changed in the database, by this process
    /// or any other, and is cheap enough to ask on every request: a cache of which deployment serves a system may
    /// be used as long as the stamp it was read under is current. Nil when the engine cannot tell without a round
    /// trip (PostgreSQL), so that the caller reads instead.
    func changeStamp(_ stamp: ChangeStamp) -> Int64?

    /// The value of `stamp` as of a moment after this call began: every change committed before the call is
    /// counted in it, whichever replica made it. From memory when the engine can tell (`changeStamp`); otherwise
    /// from one read that concurrent callers share.
    func currentChangeStamp(_ stamp: ChangeStamp) async throws -> Int64

    /// Runs `body`, which makes one statement, as that statement's own transaction: where the engine is a round
    /// trip away (PostgreSQL) this saves the trips of `BEGIN` and `COMMIT`; elsewhere it is `write`.
    func writeOneStatement<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T
}
