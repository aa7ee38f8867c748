import Logging
import SQLKit
import ServiceLifecycle
import StewardCore
import Synchronization

/// The embedded store engine: one SQLite file in WAL mode, one writer connection that commits queued writes in
/// groups, and a small pool of read-only connections that read concurrently with it.
///
/// Every connection has its own thread (`DedicatedThread`); work on a connection prefers that thread as its
/// executor, so a transaction's statements run back to back without a context switch between them.
public final class SQLiteStoreDatabase: StoreDatabase {
    /// How hard a commit waits for the disk.
    public enum Durability: String, Sendable, CaseIterable {
        /// fsync the WAL at every commit: an acknowledged write survives power loss.
        case full
        /// fsync at checkpoints only: an acknowledged write survives a crash of the process, not of the machine.
        case normal
    }

    /// A connection and the thread its work runs on.
    struct Connection: Sendable {
        let handle: SQLiteHandle
        let thread: DedicatedThread
        let database: SQLiteSQLDatabase

        init(path: String, name: String, scheduling: DedicatedThread.Scheduling = .normal, pragmas: [String], logger: Logger) throws {
            handle = try SQLiteHandle(path: path)
            do {
                for pragma in pragmas { try handle.execute("PRAGMA \(pragma)") }
            } catch {
                handle.close()
                throw error
            }
            thread = DedicatedThread(name: name, scheduling: scheduling)
            database = SQLiteSQLDatabase(handle: handle, logger: logger)
        }

        /// Runs `body` on this connection's thread.
        func perform<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
            try await withTaskExecutorPreference(thread) { try await body(database) }
        }

        func close() async {
            await withTaskExecutorPreference(thread) { handle.close() }
            thread.shutdown()
        }
    }

    public let engine = SQLEngine.sqlite
    public let path: String
    private let writer: Connection
    private let readers: SQLiteReaderPool
    /// A read-only connection that answers `changeStamp` from whichever thread calls it: the question takes
    /// microseconds, where a read through the pool costs a hop to a reader's thread and back (0.25 ms of a served
    /// request's 0.8 ms, `bench/router.py`).
    private let watcher: Mutex<ChangeWatcher?>

    /// The watcher connection and the change stamps it last read, with the data version it read them under and
    /// the WAL index header seen before that read: while the header stays the same, nothing has committed since
    /// and the stamps are answered without asking SQLite.
    private struct ChangeWatcher {
        let handle: SQLiteHandle
        var dataVersion: Int64?
        var stamps: [ChangeStamp: Int64] = [:]
        var walIndex: WALIndexHeader?
        var header: WALIndexHeader.Snapshot?
        /// How many times SQLite was asked for the data version.
        var reads = 0
    }
    private let queue = GroupCommitQueue()
    private let logger: Logger

    private init(path: String, writer: Connection, readers: [Connection], watcher: SQLiteHandle, logger: Logger) {
        self.path = path
        self.writer = writer
        self.readers = SQLiteReaderPool(readers)
        self.watcher = Mutex(ChangeWatcher(handle: watcher))
        self.logger = logger
    }

    /// A database that was never run still lets its threads end.
    deinit {
        writer.thread.shutdown()
        readers.abandon()
    }

    /// Opens (creating if needed) the SQLite file at `path`.
    public static func open(
        path: String, durability: Durability = .full, readerCount: Int = 2, logger: Logger
    ) async throws -> SQLiteStoreDatabase {
        let writer = try Connection(
            path: path, name: "sqlite-writer", scheduling: .batch,
            pragmas: ["journal_mode = WAL", "synchronous = \(durability.rawValue.uppercased())"] + sharedPragmas + writerPragmas,
            logger: logger)
        var readers: [Connection] = []
        let watcher: SQLiteHandle
        do {
            for index in 0..<max(1, readerCount) {
                readers.append(
                    try Connection(
                        path: path, name: "sqlite-reader-\(index)", pragmas: sharedPragmas + readerPragmas, logger: logger))
            }
            watcher = try SQLiteHandle(path: path)
            do {
                // No busy wait: this runs on an event loop under a process-wide lock, and a busy file (another
                // process recovering the WAL) answers nil at once, so the caller reads the ordinary way instead.
                for pragma in ["busy_timeout = 0", "query_only = ON"] { try watcher.execute("PRAGMA \(pragma)") }
            } catch {
                watcher.close()
                throw error
            }
        } catch {
            for reader in readers { await reader.close() }
            await writer.close()
            throw error
        }
        return SQLiteStoreDatabase(path: path, writer: writer, readers: readers, watcher: watcher, logger: logger)
    }

    /// Settings every connection needs: enforced foreign keys, waiting on locks instead of failing, a
    /// case-sensitive `LIKE` as in MLflow's search grammar (`ILIKE` is spelled with `lower()`), a 32 MiB page
    /// cache, and temporary structures (sorts, statement journals of multi-row writes) kept in memory instead of
    /// in files created and unlinked per statement.
    private static let sharedPragmas = [
        "foreign_keys = ON", "busy_timeout = 10000", "case_sensitive_like = ON", "cache_size = -32768", "temp_store = MEMORY",
    ]
    /// Readers read through a memory map instead of a `pread` per page, and can never write.
    private static let readerPragmas = ["mmap_size = 1073741824", "query_only = ON"]
    /// The writer checkpoints the WAL every 16 MiB instead of every 4 MiB, so a page that many commits touch is
    /// copied into the database file once per checkpoint rather than four times.
    private static let writerPragmas = ["wal_autocheckpoint = 4000"]

    /// Runs `body` in a read transaction, so that its statements see one snapshot of the database.
    public func read<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await readers.withConnection { connection in
            try await connection.perform { db in
                try await db.raw("BEGIN").run()
                do {
                    let value = try await body(db)
                    try await db.raw("COMMIT").run()
                    return value
                } catch {
                    try? await db.raw("ROLLBACK").run()
                    throw error
                }
            }
        }
    }

    public func write<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await queue.submit(body)
    }

    /// Queued like any write: the writer's transactions cost no round trip, and a group commit serves many.
    public func writeOneStatement<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await queue.submit(body)
    }

    /// A change stamp (migrations 18 and 26): it moves with every commit that changes what it follows, by any
    /// connection, in this process or another one on the same file. The stamps are read again only when SQLite's
    /// data version, which moves with every commit of another connection, has moved since the last read. Nil once
    /// closed, before the stamp's migration, or if SQLite fails to answer.
    public func changeStamp(_ stamp: ChangeStamp) -> Int64? {
        watcher.withLock { watcher -> Int64? in
            guard let handle = watcher?.handle else { return nil }
            let header = watcher?.walIndex?.snapshot()
            if let header, header == watcher?.header, let known = watcher?.stamps[stamp] { return known }
            // Seen before the read: a commit after it moves the header again, and the next call reads again.
            watcher?.header = header
            watcher?.reads += 1
            guard let version = try? handle.integer("PRAGMA data_version") else {
                watcher?.header = nil
                return nil
            }
            if watcher?.walIndex == nil { watcher?.walIndex = handle.walIndex() }
            if version != watcher?.dataVersion {
                // Read after the version: a commit in between moves the version again, so they are read again next time.
                var stamps: [ChangeStamp: Int64] = [:]
                for kind in ChangeStamp.allCases { stamps[kind] = try? handle.integer("SELECT value FROM \(kind.table)") }
                watcher?.dataVersion = version
                watcher?.stamps = stamps
            }
            return watcher?.stamps[stamp]
        }
    }

    /// How many times `changeStamp` asked SQLite (the rest were answered from the WAL index header).
    var changeStampReads: Int { watcher.withLock { $0?.reads ?? 0 } }

    /// From the watcher, which sees every commit made before the call; through a reader when it cannot answer.
    public func currentChangeStamp(_ stamp: ChangeStamp) async throws -> Int64 {
        if let value = changeStamp(stamp) { return value }
        return try await read { db in try await stamp.current(on: db) }
    }

    /// Commits queued writes until shutdown, then closes every connection.
    public func run() async throws {
        await withGracefulShutdownHandler {
            await withTaskCancellationHandler {
                await withTaskExecutorPreference(writer.thread) {
                    while let batch = await queue.nextBatch() { await commit(batch, on: writer.database) }
                }
            } onCancel: {
                self.queue.close()
            }
        } onGracefulShutdown: {
            self.queue.close()
        }
        await readers.close()
        watcher.withLock { watcher in
            watcher?.handle.close()
            watcher = nil
        }
        await writer.close()
    }

    /// Runs a batch of jobs in one transaction; each job gets a savepoint so that one job's failure undoes only
    /// its own writes. Results are reported only after the commit.
    private func commit(_ batch: [GroupCommitQueue.Job], on database: any SQLDatabase) async {
        var outcomes: [Result<any Sendable, any Error>] = []
        outcomes.reserveCapacity(batch.count)
        let isolated = batch.count > 1
        do {
            try await database.raw("BEGIN IMMEDIATE").run()
            for job in batch {
                if isolated { try await database.raw("SAVEPOINT job").run() }
                do {
                    let value = try await job.body(database)
                    if isolated { try await database.raw("RELEASE job").run() }
                    outcomes.append(.success(value))
                } catch let error where isolated && !((error as? SQLiteError)?.endsTransaction ?? false) {
                    try await database.raw("ROLLBACK TO job").run()
                    try await database.raw("RELEASE job").run()
                    outcomes.append(.failure(error))
                }
            }
            if !isolated, case .failure = outcomes.first {
                try await database.raw("ROLLBACK").run()
            } else {
                try await database.raw("COMMIT").run()
            }
        } catch {
            // The transaction itself failed (or a lone job threw): nothing of this batch was written.
            try? await database.raw("ROLLBACK").run()
            if !isolated, outcomes.isEmpty {
                batch[0].continuation.resume(throwing: error)
            } else {
                logger.error("SQLite commit failed; the batch was rolled back", metadata: ["error": "\(error)"])
                for job in batch { job.continuation.resume(throwing: error) }
            }
            return
        }
        for (job, outcome) in zip(batch, outcomes) {
            job.continuation.resume(with: outcome)
        }
    }
}

/// Read-only SQLite connections lent out one caller at a time. Once closed, callers get a 503 instead of
/// waiting for a connection that will not come back.
final class SQLiteReaderPool: Sendable {
    typealias Connection = SQLiteStoreDatabase.Connection

    private struct State {
        var idle: [Connection]
        var waiters: [CheckedContinuation<Connection?, Never>] = []
        var closed = false
    }

    private let state: Mutex<State>
    private let count: Int

    init(_ connections: [Connection]) {
        state = Mutex(State(idle: connections))
        count = connections.count
    }

    func withConnection<T: Sendable>(_ body: (Connection) async throws -> T) async throws -> T {
        guard let connection = await acquire(closing: false) else {
            throw StewardError(.temporarilyUnavailable, "The store is shutting down; retry the request.")
        }
        defer { release(connection) }
        return try await body(connection)
    }

    /// A connection, waiting for one to be returned; nil once the pool is closed (except for `close` itself).
    private func acquire(closing: Bool) async -> Connection? {
        await withCheckedContinuation { continuation in
            let connection = state.withLock { state -> Connection?? in
                if state.closed && !closing { return .some(nil) }
                if let connection = state.idle.popLast() { return .some(connection) }
                state.waiters.append(continuation)
                return nil
            }
            if let connection { continuation.resume(returning: connection) }
        }
    }

    private func release(_ connection: Connection) {
        let waiter = state.withLock { state -> CheckedContinuation<Connection?, Never>? in
            if state.waiters.isEmpty {
                state.idle.append(connection)
                return nil
            }
            return state.waiters.removeFirst()
        }
        waiter?.resume(returning: connection)
    }

    /// Refuses new readers, lets the reads under way finish, and closes every connection.
    func close() async {
        state.withLock { $0.closed = true }
        for _ in 0..<count {
            guard let connection = await acquire(closing: true) else { continue }
            await connection.close()
        }
    }

    /// Stops the connections' threads without waiting, for a database that was never run.
    func abandon() {
        state.withLock { state in
            for connection in state.idle { connection.thread.shutdown() }
        }
    }
}
