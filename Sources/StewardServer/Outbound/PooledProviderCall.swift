import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import NIOPosix

/// A call to an LLM provider at a plain `http://` URL (a model server on the network: vLLM, Ollama, a stand-in)
/// over a pooled keep-alive connection of the event loop the calling task runs on (`ModelServerConnections`, the
/// serving fast path's pools), instead of async-http-client: the gateway call started on a connection's loop
/// (`ServingFastPath`) then reaches its provider, and is answered, without leaving that loop.
///
/// The answer has async-http-client's shape, so the gateway reads it either way: its head within `timeout`, its
/// body whole, or, for a stream, as it comes (reading pauses while 64 pieces wait to be taken). Giving up (the
/// task cancelled, or the body no longer read) closes the connection, which ends the provider's call. A pooled
/// connection found closed is not replaced for a second try: a provider that read the call may bill it.
///
/// Measured with bench/gateway.py (release builds, 16 connections, alternated runs on one host): async-http-client's
/// request path and pool were 9% of the gateway's CPU time, and its connections on either loop made a call hop
/// between the two.
enum PooledProviderCall {
    /// What a call's loop keeps of it.
    fileprivate final class State {
        var head: CheckedContinuation<HTTPClientResponse, any Error>?
        var call: ModelServerConnections.Call?
        var source: Body.Source?
        var cancelled = false
    }

    typealias Body = NIOThrowingAsyncSequenceProducer<
        ByteBuffer, any Error, NIOAsyncSequenceProducerBackPressureStrategies.HighLowWatermark, Delegate
    >

    /// Reads on when the body's reader wants more; gives the call up when it stops reading.
    struct Delegate: NIOAsyncSequenceProducerDelegate {
        let loop: any EventLoop
        fileprivate let state: NIOLoopBoundBox<State?>

        func produceMore() {
            let state = state
            loop.execute { state.value?.call?.pause(false) }
        }

        func didTerminate() {
            let state = state
            loop.execute { state.value?.call?.cancel() }
        }
    }

    struct Cancelled: Error {}

    static func post(
        _ body: ByteBuffer, to endpoint: ModelServerConnections.Endpoint, headers: [(String, String)], timeout: TimeAmount, streaming: Bool,
        pools: ModelServerConnectionPools
    ) async throws -> HTTPClientResponse {
        let loop: any EventLoop = MultiThreadedEventLoopGroup.currentEventLoop ?? MultiThreadedEventLoopGroup.singleton.next()
        let box = NIOLoopBoundBox<State?>.makeEmptyBox(valueType: State.self, eventLoop: loop)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<HTTPClientResponse, any Error>) in
                loop.execute {
                    let state = box.value ?? State()
                    box.value = state
                    guard !state.cancelled else {
                        continuation.resume(throwing: Cancelled())
                        return
                    }
                    state.head = continuation
                    let receiver = streaming ? receiver(state: state, box: box, loop: loop) : nil
                    state.call = pools.connections(on: loop).post(
                        body, to: endpoint, headers: headers, timeout: timeout, retryable: false, receiver: receiver
                    ) { result in
                        switch result {
                        case .success(let answer):
                            if let head = state.head {
                                state.head = nil
                                head.resume(
                                    returning: HTTPClientResponse(
                                        status: HTTPResponseStatus(statusCode: answer.status), headers: Self.headers(answer.contentType),
                                        body: .bytes(answer.body)))
                            }
                            state.source?.finish()
                        case .failure(let failure):
                            if let head = state.head {
                                state.head = nil
                                head.resume(throwing: failure)
                            }
                            state.source?.finish(failure)
                        }
                        state.source = nil
                    }
                }
            }
        } onCancel: {
            loop.execute {
                let state = box.value ?? State()
                box.value = state
                state.cancelled = true
                state.call?.cancel()
                state.head?.resume(throwing: Cancelled())
                state.head = nil
                state.source?.finish(Cancelled())
                state.source = nil
            }
        }
    }

    /// Passes a streamed answer on: its head as the call's answer, its body through a sequence the gateway reads.
    private static func receiver(state: State, box: NIOLoopBoundBox<State?>, loop: any EventLoop) -> ModelServerExchange.Receiver {
        ModelServerExchange.Receiver(
            head: { status, contentType in
                let body = Body.makeSequence(
                    backPressureStrategy: .init(lowWatermark: 16, highWatermark: 64), finishOnDeinit: false,
                    delegate: Delegate(loop: loop, state: box))
                state.source = body.source
                state.head?.resume(
                    returning: HTTPClientResponse(
                        status: HTTPResponseStatus(statusCode: status), headers: headers(contentType), body: .stream(body.sequence)))
                state.head = nil
            },
            part: { part in
                if case .stopProducing = state.source?.yield(part) { state.call?.pause(true) }
            })
    }

    private static func headers(_ contentType: String?) -> HTTPHeaders {
        contentType.map { ["Content-Type": $0] } ?? [:]
    }
}
