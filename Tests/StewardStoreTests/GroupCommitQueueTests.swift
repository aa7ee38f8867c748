import SQLKit
import Synchronization
import Testing

@testable import StewardStore

/// The queue of writes for SQLite's single writer: what it tells the writer's yield points.
@Suite struct GroupCommitQueueTests {
    @Test("Writes queued behind a busy writer count as waiting until it takes them; those queued meanwhile after a commit")
    func countsWaitingWrites() async throws {
        let counts = Mutex<[Int]>([])
        let queue = GroupCommitQueue(waiting: { count in counts.withLock { $0.append(count) } })
        // No writer waiting for jobs: the writer is busy, so both callers wait for it.
        let first = Task { try await queue.submit { _ in 1 } }
        let second = Task { try await queue.submit { _ in 2 } }
        while counts.withLock({ $0.count }) < 2 { try await Task.sleep(for: .milliseconds(1)) }
        #expect(counts.withLock { $0 } == [1, 2])
        let batch = try #require(await queue.nextBatch())
        #expect(batch.count == 2)
        #expect(counts.withLock { $0.last } == 0, "the writer took them")
        let fourth = Task { try await queue.submit { _ in 4 } }
        while counts.withLock({ $0.last }) != 1 { try await Task.sleep(for: .milliseconds(1)) }
        for job in batch { job.continuation.resume(returning: 0) }
        #expect(counts.withLock { $0.last } == 1, "committed: the write queued meanwhile waits until taken")
        let next = try #require(await queue.nextBatch())
        #expect(counts.withLock { $0.last } == 0)
        for job in next { job.continuation.resume(returning: 4) }
        _ = try await fourth.value
        _ = try await (first.value, second.value)
        // A writer waiting for work takes a lone job at once: nobody waits behind it or beside it.
        let taken = Task { await queue.nextBatch() }
        while !queue.writerIsWaiting { try await Task.sleep(for: .milliseconds(1)) }
        let before = counts.withLock { $0.count }
        let third = Task { try await queue.submit { _ in 3 } }
        let handed = try #require(await taken.value)
        #expect(Array(counts.withLock { $0 }.dropFirst(before)) == [0])
        for job in handed { job.continuation.resume(returning: 3) }
        _ = try await third.value
        queue.close()
    }
}
