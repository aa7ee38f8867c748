import Logging
import NIOCore
import NIOPosix
import SQLKit
import SQLiteKit
import ServiceLifecycle
import Synchronization

/// The embedded store engine: one SQLite file in WAL mode, one writer connection that commits queued writes in
/// groups, and a small pool of read-only connections that read concurrently with it.
public final class SQLiteStoreDatabase: StoreDatabase {
    /// How hard a commit waits for the disk.
    public enum Durability: String, Sendable, CaseIterable {
        /// fsync the WAL at every commit: an acknowledged write survives power loss.
        case full
        /// fsync at checkpoints only: an acknowledged write survives a crash of the process, not of the machine.
        case normal
    }

    public let engine = SQLEngine.sqlite
    public let path: String
    private let writer: SQLiteConnection
    private let readers: SQLiteReaderPool
    private let queue = GroupCommitQueue()
    private let logger: Logger

    private init(path: String, writer: SQLiteConnection, readers: [SQLiteConnection], logger: Logger) {
        self.path = path
        self.writer = writer
        self.readers = SQLiteReaderPool(readers)
        self.logger = logger
    }

    /// Opens (creating if needed) the SQLite file at `path`.
    public static func open(
        path: String, durability: Durability = .full, readerCount: Int = 2, logger: Logger
    ) async throws -> SQLiteStoreDatabase {
        let eventLoop = MultiThreadedEventLoopGroup.singleton.any()
        let writer = try await SQLiteConnection.open(storage: .file(path: path), threadPool: .singleton, logger: logger, on: eventLoop)
        do {
            _ = try await writer.query("PRAGMA journal_mode = WAL")
            for pragma in ["synchronous = \(durability.rawValue.uppercased())"] + sharedPragmas {
                _ = try await writer.query("PRAGMA \(pragma)")
            }
        } catch {
            await close(writer)
            throw error
        }
        var readers: [SQLiteConnection] = []
        do {
            for _ in 0..<max(1, readerCount) {
                let reader = try await SQLiteConnection.open(
                    storage: .file(path: path), threadPool: .singleton, logger: logger, on: MultiThreadedEventLoopGroup.singleton.any())
                readers.append(reader)
                for pragma in sharedPragmas + ["query_only = ON"] {
                    _ = try await reader.query("PRAGMA \(pragma)")
                }
            }
        } catch {
            for reader in readers { await close(reader) }
            await close(writer)
            throw error
        }
        return SQLiteStoreDatabase(path: path, writer: writer, readers: readers, logger: logger)
    }

    /// Settings every connection needs: enforced foreign keys, waiting on locks instead of failing, a
    /// case-sensitive `LIKE` as in MLflow's search grammar (`ILIKE` is spelled with `lower()`), and reads served
    /// from a memory map and a 32 MiB page cache instead of a `pread` per page.
    private static let sharedPragmas = [
        "foreign_keys = ON", "busy_timeout = 10000", "case_sensitive_like = ON", "mmap_size = 1073741824", "cache_size = -32768",
    ]

    public func read<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await readers.withConnection { connection in
            try await body(connection.sql(queryLogLevel: nil))
        }
    }

    public func write<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await queue.submit(body)
    }

    /// Commits queued writes until shutdown, then closes every connection.
    public func run() async throws {
        await withGracefulShutdownHandler {
            await withTaskCancellationHandler {
                let database = writer.sql(queryLogLevel: nil)
                while let batch = await queue.nextBatch() {
                    await commit(batch, on: database)
                }
            } onCancel: {
                self.queue.close()
            }
        } onGracefulShutdown: {
            self.queue.close()
        }
        await readers.close()
        await Self.close(writer)
    }

    /// Closes a connection even from a cancelled task (the async `close()` gives up when its task is cancelled).
    static func close(_ connection: SQLiteConnection) async {
        let closing: EventLoopFuture<Void> = connection.close()
        try? await closing.get()
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
                } catch let error where isolated && !(error is SQLiteError && (error as! SQLiteError).isFatalForTransaction) {
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

extension SQLiteError {
    /// Errors after which SQLite may have rolled back the whole transaction by itself.
    var isFatalForTransaction: Bool {
        switch reason {
        case .full, .ioError, .corrupt, .notADatabase, .noMemory, .interrupt: true
        default: false
        }
    }
}

/// Read-only SQLite connections lent out one caller at a time.
final class SQLiteReaderPool: Sendable {
    private struct State {
        var idle: [SQLiteConnection]
        var waiters: [CheckedContinuation<SQLiteConnection, Never>] = []
    }

    private let state: Mutex<State>
    private let all: [SQLiteConnection]

    init(_ connections: [SQLiteConnection]) {
        state = Mutex(State(idle: connections))
        all = connections
    }

    func withConnection<T: Sendable>(_ body: (SQLiteConnection) async throws -> T) async throws -> T {
        let connection = await acquire()
        defer { release(connection) }
        return try await body(connection)
    }

    private func acquire() async -> SQLiteConnection {
        await withCheckedContinuation { continuation in
            let connection = state.withLock { state -> SQLiteConnection? in
                if let connection = state.idle.popLast() { return connection }
                state.waiters.append(continuation)
                return nil
            }
            if let connection { continuation.resume(returning: connection) }
        }
    }

    private func release(_ connection: SQLiteConnection) {
        let waiter = state.withLock { state -> CheckedContinuation<SQLiteConnection, Never>? in
            if state.waiters.isEmpty {
                state.idle.append(connection)
                return nil
            }
            return state.waiters.removeFirst()
        }
        waiter?.resume(returning: connection)
    }

    func close() async {
        for connection in all { await SQLiteStoreDatabase.close(connection) }
    }
}
