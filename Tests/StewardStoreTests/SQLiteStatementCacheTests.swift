import Foundation
import Testing

@testable import StewardStore

/// The prepared statements a SQLite connection keeps.
@Suite("SQLite statement cache")
struct SQLiteStatementCacheTests {
    /// An INSERT of `rows` rows of one value each: one statement text per number of rows.
    static func insert(_ rows: Int) -> String {
        "INSERT INTO t (a) VALUES " + Array(repeating: "(?)", count: rows).joined(separator: ",")
    }

    @Test("Events are inserted in statements of 1,000 rows, then of 64, then the rest: sizes that stay prepared")
    func eventStatementSizes() {
        func sizes(_ count: Int) -> [Int] { SQLEventRepository.statementRanges(count: count).map(\.count) }
        #expect(sizes(0).isEmpty)
        #expect(sizes(1) == [1])
        #expect(sizes(270) == [64, 64, 64, 64, 14])
        #expect(sizes(2_130) == [1_000, 1_000, 64, 64, 2])
        #expect(sizes(20_000) == Array(repeating: 1_000, count: 20))
        let ranges = SQLEventRepository.statementRanges(count: 1_234)
        #expect(ranges.first?.lowerBound == 0 && ranges.last?.upperBound == 1_234)
        #expect(zip(ranges, ranges.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound }, "every row once, in order")
    }

    @Test("Statements of many rows are kept four at a time, the least recently used going first; small ones stay")
    func largeStatementsBounded() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("steward-cache-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let handle = try SQLiteHandle(path: folder.appendingPathComponent("test.sqlite").path)
        defer { handle.close() }
        try handle.execute("CREATE TABLE t (a INTEGER)")
        let small = "SELECT count(*) FROM t"
        #expect(try handle.integer(small) == 0)
        for rows in 300..<310 {
            try handle.run(Self.insert(rows), (0..<rows).map { .integer(Int64($0)) }) { _ in }
        }
        #expect(handle.cachedStatementCount == 2 + 4, "the two small statements and the four latest large ones")
        #expect((306..<310).allSatisfy { handle.isCached(Self.insert($0)) } && !handle.isCached(Self.insert(305)))
        #expect(handle.isCached(small) && handle.isCached("CREATE TABLE t (a INTEGER)"))

        // Used again, 306 becomes the most recent: the next new one evicts 307.
        try handle.run(Self.insert(306), (0..<306).map { .integer(Int64($0)) }) { _ in }
        try handle.run(Self.insert(310), (0..<310).map { .integer(Int64($0)) }) { _ in }
        #expect(handle.isCached(Self.insert(306)) && !handle.isCached(Self.insert(307)) && handle.isCached(Self.insert(310)))
        #expect(handle.cachedStatementCount == 6)
        #expect(try handle.integer(small) == Int64((300..<310).reduce(0, +) + 306 + 310), "every row written")
    }
}
