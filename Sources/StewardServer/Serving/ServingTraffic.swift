import Foundation
import HTTPTypes
import Logging
import NIOCore
import ServiceLifecycle
import StewardCore
import Synchronization

/// The serving path's work that must not delay an answer, run by the server's service group: the inference
/// events of served requests, written in batches through the same ingestion path as `POST events`, the
/// copies a shadow deployment sends to its shadow arms, and follow-ups of answered calls (a prompt experiment's
/// judge grading an answer). Copies and follow-ups beyond what can keep up are shed and counted, never queued
/// without bound.
///
/// Events are written every `flushInterval` (and before a deployment's numbers are read, and at shutdown): at
/// 13,000 requests a second one transaction per request would be the bottleneck, one per 50 ms is not. A
/// `kill -9` loses at most that interval of served-request events; the answers themselves were already given.
final class ServingTraffic: Service, Sendable {
    /// One copy of a request for a shadow arm.
    struct ShadowCopy: Sendable {
        let deployment: Deployment
        let arm: Deployment.Arm
        let body: ByteBuffer
        let requestID: String
        let unit: String?
        let rows: [[String: FeatureValue]]
    }

    let recorder: ServedEventRecorder
    let client: ModelServerClient
    let logger: Logger
    let flushInterval: Duration
    private let copies: AsyncStream<ShadowCopy>
    private let copyQueue: AsyncStream<ShadowCopy>.Continuation
    private let followUps: AsyncStream<@Sendable () async -> Void>
    private let followUpQueue: AsyncStream<@Sendable () async -> Void>.Continuation
    /// Shadow calls in flight at most; further copies wait in a queue of `queuedCopies`, then are shed.
    static let concurrentCopies = 64
    static let queuedCopies = 1024
    /// Follow-ups running at most, and waiting at most; beyond that they are shed.
    static let concurrentFollowUps = 16
    static let queuedFollowUps = 1024

    init(events: EventService, client: ModelServerClient = ModelServerClient(), logger: Logger, flushInterval: Duration = .milliseconds(50)) {
        recorder = ServedEventRecorder(
            write: { systemID, batch in _ = try await events.record(systemID: systemID, events: batch) }, logger: logger,
            behind: flushInterval / 2)
        self.client = client
        self.logger = logger
        self.flushInterval = flushInterval
        (copies, copyQueue) = AsyncStream.makeStream(of: ShadowCopy.self, bufferingPolicy: .bufferingOldest(Self.queuedCopies))
        (followUps, followUpQueue) = AsyncStream.makeStream(
            of: (@Sendable () async -> Void).self, bufferingPolicy: .bufferingOldest(Self.queuedFollowUps))
    }

    /// Queues work an answered call leaves behind; false when it was shed (the queue full, or the traffic stopped).
    func followUp(_ work: @escaping @Sendable () async -> Void) -> Bool {
        switch followUpQueue.yield(work) {
        case .enqueued: true
        case .dropped, .terminated: false
        @unknown default: false
        }
    }

    static let unitHeader = HTTPField.Name("X-Steward-Unit")!
    /// Scoring bodies larger than this are refused.
    static let maximumBodyBytes = 64 << 20

    /// A request's unit key: the `X-Steward-Unit` header, else the deployment's unit field in the first row; nil
    /// (assigned per request) without either.
    static func unit(header: String?, payload: PyfuncPayload, deployment: Deployment) -> String? {
        header.flatMap { $0.isEmpty ? nil : $0 }
            ?? deployment.unitField.flatMap { field in payload.rows.first?[field].flatMap { value in value == .missing ? nil : value.cell } }
    }

    /// The client's `X-Steward-Request-Id` (1 to 200 bytes), else a new one: time-ordered, so that the events
    /// table's index by request id grows at its end.
    static func requestID(header: String?) -> String {
        header.flatMap { (1...200).contains($0.utf8.count) ? $0 : nil } ?? RandomUUID.timeOrdered(milliseconds: EpochClock.now())
    }

    /// Queues a copy of a served request for each of the deployment's shadow arms.
    func shadow(_ deployment: Deployment, body: ByteBuffer, requestID: String, unit: String?, rows: [[String: FeatureValue]]) {
        for arm in deployment.shadowArms {
            shadow(ShadowCopy(deployment: deployment, arm: arm, body: body, requestID: requestID, unit: unit, rows: rows))
        }
    }

    /// Queues a copy for a shadow arm; when the queue is full the copy is shed and counted.
    func shadow(_ copy: ShadowCopy) {
        if case .dropped = copyQueue.yield(copy) {
            recorder.shed(deploymentID: copy.deployment.id)
        }
    }

    func run() async throws {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { [recorder, flushInterval] in
                await Periodically.run(every: flushInterval) { await recorder.flush(decidingYieldPoints: true) }
            }
            group.addTask { [self] in
                await Self.drain(copies.cancelOnGracefulShutdown(), concurrently: Self.concurrentCopies) { copy in await self.send(copy) }
            }
            group.addTask { [followUps] in
                await Self.drain(followUps.cancelOnGracefulShutdown(), concurrently: Self.concurrentFollowUps) { work in await work() }
            }
            await group.next()
            copyQueue.finish()
            followUpQueue.finish()
            await group.waitForAll()
        }
        await recorder.flush()
    }

    /// Runs `handle` on each element of `queue`, at most `limit` at once.
    static func drain<Element: Sendable>(
        _ queue: some AsyncSequence<Element, Never> & Sendable, concurrently limit: Int, _ handle: @escaping @Sendable (Element) async -> Void
    ) async {
        await withTaskGroup(of: Void.self) { running in
            var inFlight = 0
            for await element in queue {
                if inFlight >= limit {
                    await running.next()
                    inFlight -= 1
                }
                inFlight += 1
                running.addTask { await handle(element) }
            }
        }
    }

    /// Sends one shadow copy and records its answer (never returned to anyone). A shadow's events get their
    /// own request ids: the primary's answer keeps the client's.
    func send(_ copy: ShadowCopy) async {
        _ = await call(
            copy.arm, of: copy.deployment, body: copy.body, requestID: "\(copy.requestID)@\(copy.arm.name)", unit: copy.unit, rows: copy.rows)
    }

    /// Calls `arm`'s model server with `body`, timed, and records the request's events whatever the outcome.
    func call(
        _ arm: Deployment.Arm, of deployment: Deployment, body: ByteBuffer, requestID: String, unit: String?, rows: [[String: FeatureValue]]
    ) async -> Result<ModelServerClient.Answer, ModelServerClient.Failure> {
        let start = ContinuousClock.now
        let result: Result<ModelServerClient.Answer, ModelServerClient.Failure>
        do { result = .success(try await client.post(body, to: arm.endpoint)) } catch { result = .failure(error) }
        record(result, arm: arm, of: deployment, requestID: requestID, unit: unit, rows: rows, since: start)
        return result
    }

    /// Records what `arm`'s model server answered (or why it did not) for a call that began at `start`.
    func record(
        _ result: Result<ModelServerClient.Answer, ModelServerClient.Failure>, arm: Deployment.Arm, of deployment: Deployment, requestID: String,
        unit: String?, rows: [[String: FeatureValue]], since start: ContinuousClock.Instant
    ) {
        recorder.record(
            ServedRequest(
                deployment: deployment, arm: arm, requestID: requestID, unit: unit, rows: rows, result: result, latency: ContinuousClock.now - start))
    }
}

/// One request as an arm served it, turned into inference events: one per row (the request id, or
/// `<request id>/<row>` when the request held several rows), with the arm, version, features, prediction,
/// latency and whether it failed.
struct ServedRequest: Sendable {
    /// When the answer came (the events' time).
    let time = EpochClock.now()
    let deployment: Deployment
    let arm: Deployment.Arm
    let requestID: String
    let unit: String?
    let rows: [[String: FeatureValue]]
    let result: Result<ModelServerClient.Answer, ModelServerClient.Failure>
    let latency: Duration

    /// Appends this request's events to `events` (a flush's batch: made in place, not copied into it).
    func appendEvents(to events: inout [InferenceEvent]) {
        let milliseconds = Double(latency.components.seconds) * 1000 + Double(latency.components.attoseconds) / 1e15
        var failed = true
        var predictions: [FeatureValue] = []
        if case .success(let answer) = result, (200..<300).contains(answer.status) {
            failed = false
            predictions = PyfuncPayload.predictions(Data(buffer: answer.body))
        }
        let rows = rows.isEmpty ? [[:]] : rows
        for (index, features) in rows.enumerated() {
            events.append(
                InferenceEvent(
                    requestID: rows.count == 1 ? requestID : "\(requestID)/\(index)", time: time, model: arm.model, version: arm.version,
                    features: features, prediction: index < predictions.count ? predictions[index] : nil, latencyMilliseconds: milliseconds,
                    failed: failed, deploymentID: deployment.id, arm: arm.name, unit: unit))
        }
    }
}

/// The served requests' events waiting to be written, by system, and the shadow copies shed, by deployment.
///
/// A lock, not an actor: every served request adds to it, and an actor made each of them hop to the one thread
/// running it and back. A served request is kept as it came and turned into events (its answer parsed for the
/// predictions) when it is written, off the event loops that serve.
final class ServedEventRecorder: Sendable {
    private struct State {
        /// Served requests by system, turned into events when written (parsing answers is not the serving
        /// path's work).
        var served: [String: [ServedRequest]] = [:]
        var pending: [String: [InferenceEvent]] = [:]
        /// Events waiting, counting a served request's rows.
        var pendingCount = 0
        var shedCopies: [String: Int] = [:]
        /// Whether a flush is writing; flushes that come meanwhile wait here, in order.
        var flushing = false
        var waitingFlushes: [CheckedContinuation<Void, Never>] = []
    }

    /// Writes one system's events (`EventService.record`, the ingestion path).
    let write: @Sendable (_ systemID: String, _ events: [InferenceEvent]) async throws -> Void
    let logger: Logger
    private let state = Mutex(State())
    /// Beyond this many waiting events (the database away for a while), new ones are dropped and logged.
    static let maximumPending = 200_000

    /// A scheduled flush that takes longer than this is behind: `YieldPoint`s stay paused until one keeps up.
    let behind: Duration
    /// Pauses yield points (`true`) or turns them back on (`YieldPoint.pause`).
    let pauseYieldPoints: @Sendable (Bool) -> Void

    init(
        write: @escaping @Sendable (_ systemID: String, _ events: [InferenceEvent]) async throws -> Void, logger: Logger,
        behind: Duration = .milliseconds(25), pauseYieldPoints: @escaping @Sendable (Bool) -> Void = YieldPoint.pause
    ) {
        self.write = write
        self.logger = logger
        self.behind = behind
        self.pauseYieldPoints = pauseYieldPoints
    }

    func record(_ request: ServedRequest) {
        enqueue(max(request.rows.count, 1), deploymentID: request.deployment.id) { state in
            state.served[request.deployment.systemID, default: []].append(request)
        }
    }

    func record(systemID: String, events batch: [InferenceEvent], deploymentID: String) {
        enqueue(batch.count, deploymentID: deploymentID) { state in state.pending[systemID, default: []] += batch }
    }

    /// Queues one event of a system that no deployment served (an LLM gateway call).
    func record(systemID: String, event: InferenceEvent) {
        enqueue(1, deploymentID: "none") { state in state.pending[systemID, default: []].append(event) }
    }

    /// Adds `count` events with `add` unless the queue would exceed `maximumPending` (then they are dropped and logged).
    private func enqueue(_ count: Int, deploymentID: String, _ add: (inout State) -> Void) {
        let kept = state.withLock { state in
            guard state.pendingCount + count <= Self.maximumPending else { return false }
            add(&state)
            state.pendingCount += count
            return true
        }
        if !kept {
            logger.warning("served-request events dropped: the write queue is full", metadata: ["deployment": "\(deploymentID)"])
        }
    }

    func shed(deploymentID: String) {
        state.withLock { $0.shedCopies[deploymentID, default: 0] += 1 }
    }

    func shed(of deploymentID: String) -> Int { state.withLock { $0.shedCopies[deploymentID] ?? 0 } }

    /// Writes every waiting event; a system whose write fails keeps its events for the next flush.
    ///
    /// Flushes run one at a time, so when one returns every event recorded before it was called is committed:
    /// a reader that flushes first (a deployment's numbers) never misses a batch that the schedule's flush had
    /// taken out of the queue and not yet committed. Only the schedule's flushes (`decidingYieldPoints`) pause
    /// or resume yield points: a reader's flush right after a slow one finds little to write and would turn
    /// them back on under the load that paused them.
    func flush(decidingYieldPoints: Bool = false) async {
        await withCheckedContinuation { (turn: CheckedContinuation<Void, Never>) in
            let now = state.withLock { state in
                if state.flushing {
                    state.waitingFlushes.append(turn)
                    return false
                }
                state.flushing = true
                return true
            }
            if now { turn.resume() }
        }
        await writePending(decidingYieldPoints: decidingYieldPoints)
        let next = state.withLock { state in
            if state.waitingFlushes.isEmpty {
                state.flushing = false
                return nil as CheckedContinuation<Void, Never>?
            }
            return state.waitingFlushes.removeFirst()
        }
        next?.resume()
    }

    /// Writes what is waiting. The preparing and writing give way to the event loops at `YieldPoint`s as long as
    /// flushes keep up with the traffic; a scheduled flush that took longer than `behind` pauses them until one
    /// keeps up again, so that under a load the cores cannot serve and record at once, recording keeps its share
    /// (with yield points always on at 16 connections of `bench/router.py`'s traffic, events queued for seconds
    /// after the load ended and were dropped at the queue's cap).
    private func writePending(decidingYieldPoints: Bool) async {
        let start = ContinuousClock.now
        defer { if decidingYieldPoints { pauseYieldPoints(ContinuousClock.now - start > behind) } }
        let (built, served) = state.withLock { state in
            defer {
                state.pending = [:]
                state.served = [:]
                state.pendingCount = 0
            }
            return (state.pending, state.served)
        }
        var batches = built
        for (systemID, requests) in served {
            var events = batches[systemID] ?? []
            batches[systemID] = nil
            events.reserveCapacity(events.count + requests.count)
            for index in requests.indices {
                requests[index].appendEvents(to: &events)
                YieldPoint.pass()
            }
            batches[systemID] = events
        }
        for (systemID, batch) in batches {
            do {
                try await write(systemID, batch)
            } catch let error as StewardError where error.code == .resourceDoesNotExist {
                logger.info("served-request events dropped: the system was deleted", metadata: ["system": "\(systemID)"])
            } catch {
                logger.warning("served-request events not written; retrying", metadata: ["system": "\(systemID)", "error": "\(error)"])
                state.withLock { state in
                    if state.pendingCount + batch.count <= Self.maximumPending {
                        state.pending[systemID, default: []] += batch
                        state.pendingCount += batch.count
                    }
                }
            }
        }
    }
}
