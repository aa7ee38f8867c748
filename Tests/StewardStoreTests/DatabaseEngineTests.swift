import Foundation
import SQLKit
import StewardCore
import StewardTestSupport
import Testing

@testable import StewardStore

/// Engine-level behaviour the repositories rely on.
@Suite("Database engines")
struct DatabaseEngineTests {
    @Test("A unique violation is recognised on either engine", arguments: TestEngine.available)
    func uniqueViolation(engine: TestEngine) async throws {
        try await TestStorage.with(engine) { storage async throws in
            do {
                try await storage.database.write { db in
                    try await db.raw(
                        """
                        INSERT INTO experiments (name, artifact_location, lifecycle_stage, creation_time, last_update_time)
                        VALUES ('Default', 'x', 'active', 0, 0)
                        """
                    ).run()
                }
                Issue.record("a duplicate experiment name was accepted")
            } catch {
                #expect(DatabaseConstraint.isUniqueViolation(error), "\(error)")
            }
        }
    }

    @Test("Values of every stored type round-trip, NULL included", arguments: TestEngine.available)
    func roundTrip(engine: TestEngine) async throws {
        try await TestStorage.with(engine) { storage async throws in
            let text = "quote ' double \" backslash \\ newline \n é 日本 🚀"
            let row = try await storage.database.write { db in
                try await db.raw(
                    """
                    INSERT INTO runs (run_uuid, experiment_id, name, user_id, status, start_time, end_time, deleted_time, lifecycle_stage, artifact_uri)
                    VALUES ('r', 0, \(bind: text), '', 'RUNNING', \(bind: Int64.max), \(bind: nil as Int64?), NULL, 'active', 'a')
                    RETURNING name, start_time, end_time
                    """
                ).first()
            }
            let stored = try #require(row)
            #expect(try stored.decode(column: "name", as: String.self) == text)
            #expect(try stored.decode(column: "start_time", as: Int64.self) == Int64.max)
            #expect(try stored.decode(column: "end_time", as: Int64?.self) == nil)
            #expect(try stored.decodeNil(column: "end_time"))
        }
    }

    @Test("A failed write leaves nothing behind, and later writes still commit", arguments: TestEngine.available)
    func failedWriteRollsBack(engine: TestEngine) async throws {
        try await TestStorage.with(engine) { storage async throws in
            await #expect(throws: StewardError.self) {
                try await storage.database.write { db in
                    try await db.raw("INSERT INTO experiment_tags (experiment_id, key, value) VALUES (0, 'k', 'v')").run()
                    throw StewardError.invalidParameter("changed my mind")
                }
            }
            let services = TrackingServices(storage)
            #expect(try await services.count("experiment_tags") == 0)
            try await storage.database.write { db in
                try await db.raw("INSERT INTO experiment_tags (experiment_id, key, value) VALUES (0, 'k', 'v')").run()
            }
            #expect(try await services.count("experiment_tags") == 1)
        }
    }
}

/// Merged log-batch writes: each caller is judged as if it wrote alone.
@Suite("Merged log batches")
struct MergedLogBatchTests {
    @Test("A caller refused for another reason does not block a later caller's params", arguments: TestEngine.available)
    func refusedCallerLeavesNoParams(engine: TestEngine) async throws {
        try await TestStorage.with(engine) { storage async throws in
            let services = TrackingServices(storage)
            let run = try await services.runs.createRun(experimentID: "0", userID: nil, runName: nil, startTime: nil, tags: []).info.runID
            let outcomes = try await storage.database.write { db in
                try await RunLogBatch.apply(
                    [
                        RunLogBatch(
                            runID: run, metrics: [Metric(key: "m", value: 1, timestamp: 1, modelID: "m-missing")], params: [Param("p", "1")],
                            tags: []),
                        RunLogBatch(runID: run, metrics: [], params: [Param("p", "2")], tags: []),
                        RunLogBatch(runID: run, metrics: [], params: [Param("p", "3")], tags: []),
                        RunLogBatch(runID: "nope", metrics: [], params: [], tags: []),
                    ], on: db)
            }
            #expect(outcomes.map(\.isSuccess) == [false, true, false, false])
            #expect(try await services.runs.run(id: run).data.params == [Param("p", "2")])
        }
    }

    @Test("Repeated model-scoped observations in one batch are stored once", arguments: TestEngine.available)
    func repeatedModelMetrics(engine: TestEngine) async throws {
        try await TestStorage.with(engine) { storage async throws in
            let services = TrackingServices(storage)
            let run = try await services.runs.createRun(experimentID: "0", userID: nil, runName: nil, startTime: nil, tags: []).info.runID
            let model = try await services.loggedModels.createLoggedModel(
                experimentID: "0", name: "m", modelType: nil, sourceRunID: run, params: [], tags: [])
            let metric = Metric(key: "loss", value: 0.5, timestamp: 7, step: 0, modelID: model.modelID)
            try await services.runs.logBatch(runID: run, metrics: [metric, metric], params: [], tags: [])
            #expect(try await services.loggedModels.loggedModel(id: model.modelID).metrics.count == 1)
        }
    }

    @Test("Reads after the database stopped are refused instead of waiting for ever")
    func readsAfterShutdown() async throws {
        let folder = NSTemporaryDirectory() + "steward-closed-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let storage = try await StewardStorage.open(dataDirectory: folder, logger: TestStorage.logger)
        let running = Task { try await storage.database.run() }
        _ = try await storage.database.read { db in try await db.raw("SELECT 1 AS one").all() }
        running.cancel()
        try await running.value
        await #expect(throws: StewardError.self) {
            try await storage.database.read { db in try await db.raw("SELECT 1 AS one").all() }
        }
        await #expect(throws: StewardError.self) {
            try await storage.database.write { db in try await db.raw("SELECT 1 AS one").all() }
        }
    }
}

/// The change stamps that let a server keep what it read in memory (which deployment serves a system, whom a token
/// stands for): each must move with every commit that changes what it follows, whoever made it, and with no other.
@Suite("Change stamps")
struct ChangeStampTests {
    /// Registers the AI system `sys-1`.
    static let addSystem = """
        INSERT INTO ai_systems (id, name, status, profile, questionnaire, risk_tier, tier_rationale, tier_source,
            created_at, updated_at, created_by)
        VALUES ('sys-1', 'one', 'active', '{}', '{}', 'low', '', 'questionnaire', 0, 0, 'tester')
        """

    static func stamps(_ database: any StoreDatabase) async throws -> [ChangeStamp: Int64] {
        var stamps: [ChangeStamp: Int64] = [:]
        for stamp in ChangeStamp.allCases { stamps[stamp] = try await database.currentChangeStamp(stamp) }
        return stamps
    }

    @Test("Each stamp holds while nothing it follows changes and moves when it does, by this or another replica", arguments: TestEngine.available)
    func stampsMoveWithWhatTheyFollow(engine: TestEngine) async throws {
        try await TestStorage.with(engine) { storage async throws in
            let database = storage.database
            let first = try await Self.stamps(database)
            _ = try await database.read { db in try await db.raw("SELECT count(*) AS n FROM experiments").all() }
            #expect(try await Self.stamps(database) == first, "a read is not a change")
            try await database.write { db in
                try await db.raw("INSERT INTO experiment_tags (experiment_id, key, value) VALUES (0, 'k', 'v')").run()
            }
            #expect(try await Self.stamps(database) == first, "other tables' commits (served events among them) do not move them")

            try await database.write { db in
                try await db.raw(SQLQueryString(ChangeStampTests.addSystem)).run()
            }
            let afterSystem = try await Self.stamps(database)
            #expect(afterSystem[.serving] != first[.serving] && afterSystem[.credentials] == first[.credentials])
            try await database.write { db in
                try await db.raw("INSERT INTO users (name, role, created_at, created_by) VALUES ('ada', 'admin', 0, 'tester')").run()
            }
            let afterUser = try await Self.stamps(database)
            #expect(afterUser[.serving] == afterSystem[.serving] && afterUser[.credentials] != afterSystem[.credentials])
            #expect(try await Self.stamps(database) == afterUser)

            // A second database on the same store stands for another replica (or, on SQLite, another process on the file).
            try await TestStorage.withReplica(of: storage) { replica in
                try await replica.write { db in try await db.raw("UPDATE ai_systems SET name = 'renamed' WHERE id = 'sys-1'").run() }
                let afterRename = try await Self.stamps(database)
                #expect(afterRename[.serving] != afterUser[.serving] && afterRename[.credentials] == afterUser[.credentials])
                try await replica.write { db in
                    try await db.raw(
                        "INSERT INTO api_tokens (token_digest, id, user_name, label, created_at) VALUES ('d', 'i', 'ada', 'l', 0)"
                    ).run()
                }
                #expect(try await Self.stamps(database)[.credentials] != afterRename[.credentials])
                #expect(try await Self.stamps(replica) == Self.stamps(database))
            }

            // SQLite answers from memory; PostgreSQL only with a read.
            for stamp in ChangeStamp.allCases {
                let known = database.changeStamp(stamp)
                #expect(engine == .sqlite ? known == (try await database.currentChangeStamp(stamp)) : known == nil)
            }
        }
    }
}

/// SQLite's change stamps answered from the WAL index header while nothing commits.
@Suite("SQLite change stamps")
struct SQLiteChangeStampTests {
    @Test(
        "No commit, no question to SQLite and its locks kept; a commit by this store's writer or by another connection (as another process's would) is seen by the next call"
    )
    func headerAnswersUntilACommit() async throws {
        try await TestStorage.with(.sqlite) { storage async throws in
            let database = try #require(storage.database as? SQLiteStoreDatabase)
            let first = try #require(database.changeStamp(.serving))
            _ = database.changeStamp(.serving)
            let reads = database.changeStampReads
            for _ in 0..<1_000 { #expect(database.changeStamp(.serving) == first) }
            #expect(database.changeStampReads == reads, "answered from the header")
            #if os(Linux)
                // SQLite's own lock on the WAL index (its "dead man switch" byte, 128) is still held by this process:
                // a descriptor of the file opened and closed beside SQLite's would have dropped every one of them.
                var file = stat()
                #expect(stat(database.path + "-shm", &file) == 0)
                // Read to its end: a procfs file has no size, and reading by size stops after its first page. The
                // kernel lists the locks a page at a time by position, so while other suites take and drop locks a
                // line can be skipped: a lock that is held shows up in one of a few readings.
                var locks: [Substring] = []
                for _ in 0..<20 {
                    let listing = try #require(try FileHandle(forReadingFrom: URL(fileURLWithPath: "/proc/locks")).readToEnd())
                    locks = String(decoding: listing, as: UTF8.self).split(separator: "\n")
                    if locks.contains(where: { $0.contains(" \(getpid()) ") && $0.hasSuffix(":\(file.st_ino) 128 128") }) { break }
                }
                #expect(
                    locks.contains { $0.contains(" \(getpid()) ") && $0.hasSuffix(":\(file.st_ino) 128 128") },
                    "locks on the WAL index: \(locks.filter { $0.contains(":\(file.st_ino) ") })")
            #endif

            try await database.write { db in
                try await db.raw(SQLQueryString(ChangeStampTests.addSystem)).run()
            }
            let afterWrite = try #require(database.changeStamp(.serving))
            #expect(afterWrite != first)
            #expect(database.changeStampReads > reads)

            try await TestStorage.withReplica(of: storage) { replica in
                let before = database.changeStampReads
                #expect(database.changeStamp(.serving) == afterWrite)
                try await replica.write { db in try await db.raw("UPDATE ai_systems SET name = 'renamed' WHERE id = 'sys-1'").run() }
                #expect(database.changeStamp(.serving) != afterWrite)
                #expect(database.changeStampReads > before)
            }
        }
    }
}

/// Concurrent calls merged into batches: a batch never takes a call that arrived after it started, so what it
/// reads was read after each of its callers asked; one batch runs at a time.
@Suite("Call coalescer")
struct CallCoalescerTests {
    /// Records the batches it executes and how many ran at once.
    actor Ledger {
        var batches: [[Int]] = []
        var running = 0
        var mostRunning = 0
        func start(_ calls: [Int]) {
            batches.append(calls)
            running += 1
            mostRunning = max(mostRunning, running)
        }
        func finish() { running -= 1 }
    }

    @Test("Calls waiting while a batch runs make up the next one; every call gets its own outcome")
    func batchesAndOutcomes() async throws {
        let ledger = Ledger()
        let coalescer = CallCoalescer<Int, Int>(maximumBatchSize: 8) { calls in
            await ledger.start(calls)
            try await Task.sleep(for: .milliseconds(20))
            await ledger.finish()
            return calls.map { $0 % 7 == 0 ? .failure(StewardError.invalidParameter("\($0) is refused")) : .success($0 * 10) }
        }
        let outcomes = await withTaskGroup(of: (Int, Result<Int, StewardError>).self) { group in
            for call in 1...40 {
                group.addTask {
                    do { return (call, .success(try await coalescer.submit(call))) } catch let error as StewardError {
                        return (call, .failure(error))
                    } catch { return (call, .failure(StewardError(.internalError, "\(error)"))) }
                }
            }
            var outcomes: [Int: Result<Int, StewardError>] = [:]
            for await (call, outcome) in group { outcomes[call] = outcome }
            return outcomes
        }
        for call in 1...40 {
            if call % 7 == 0 {
                #expect(throws: StewardError.self) { try outcomes[call]?.get() }
            } else {
                #expect(try outcomes[call]?.get() == call * 10)
            }
        }
        let batches = await ledger.batches
        #expect(batches.flatMap { $0 }.sorted() == Array(1...40), "every call executed exactly once")
        #expect(batches.allSatisfy { $0.count <= 8 })
        #expect(batches.count < 40, "calls that waited shared batches")
        #expect(await ledger.mostRunning == 1)
    }

    @Test("A batch that throws fails each of its calls, and the next batch still runs")
    func failingBatch() async throws {
        let coalescer = CallCoalescer<Int, Int> { calls in
            if calls.contains(1) { throw StewardError(.temporarilyUnavailable, "down") }
            return calls.map { .success($0) }
        }
        await #expect(throws: StewardError.self) { try await coalescer.submit(1) }
        #expect(try await coalescer.submit(2) == 2)
    }

    @Test("A leader cancelled while its batch runs does not fail the calls it carries, nor its own")
    func cancelledLeader() async throws {
        let ledger = Ledger()
        let (started, startedSignal) = AsyncStream.makeStream(of: Void.self)
        let coalescer = CallCoalescer<Int, Int> { calls in
            await ledger.start(calls)
            startedSignal.yield()
            // Sleeping throws when the task running it is cancelled, as a database call does.
            try await Task.sleep(for: .milliseconds(300))
            await ledger.finish()
            return calls.map { .success($0 * 10) }
        }
        var batchesStarted = started.makeAsyncIterator()
        let first = Task { try await coalescer.submit(1) }
        _ = await batchesStarted.next()
        // Calls arriving while the first batch runs make up the next, led by one of them.
        let later = (2...4).map { call in Task { try await coalescer.submit(call) } }
        _ = await batchesStarted.next()
        // Whichever leads is cancelled, and so is every other caller (waiting ones are not cancellable).
        for task in later { task.cancel() }
        #expect(try await first.value == 10)
        for (call, task) in zip(2...4, later) { #expect(try await task.value == call * 10, "the batch ran to its end") }
        let batches = await ledger.batches
        #expect(batches.first == [1] && batches.flatMap { $0 }.sorted() == [1, 2, 3, 4])
    }
}
