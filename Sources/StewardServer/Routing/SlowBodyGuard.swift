import NIOCore
import NIOHTTPTypes

/// Closes a connection whose request body stalls or trickles, so slow clients cannot hold connections open.
///
/// Hummingbird's idle timeout closes a connection that sends no complete request head in time (slow headers)
/// or sits idle between requests; once a head has arrived it waits for the body without limit. This handler
/// sees the decoded request parts: a body that sends nothing for `timeout`, or that has averaged less than
/// `minimumBytesPerSecond` once `timeout` has passed since its head, gets its connection closed. Large uploads
/// at any real network speed are unaffected; a client sending five bytes a second is cut off after `timeout`.
final class SlowBodyGuard: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart

    /// The slowest average a body may keep up after `timeout` (1 KiB/s).
    static let minimumBytesPerSecond = 1024

    let timeout: TimeAmount
    private var started: NIODeadline?
    private var lastPart: NIODeadline = .now()
    private var bytes = 0
    private var check: Scheduled<Void>?

    init(timeout: TimeAmount) {
        self.timeout = timeout
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            started = .now()
            lastPart = .now()
            bytes = 0
            startChecking(context)
        case .body(let buffer):
            bytes += buffer.readableBytes
            lastPart = .now()
        case .end:
            started = nil
            stopChecking()
        }
        context.fireChannelRead(data)
    }

    func channelInactive(context: ChannelHandlerContext) {
        stopChecking()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        stopChecking()
    }

    private func startChecking(_ context: ChannelHandlerContext) {
        guard check == nil else { return }
        let interval = TimeAmount.nanoseconds(max(timeout.nanoseconds / 4, 10_000_000))
        check = context.eventLoop.assumeIsolated().scheduleTask(in: interval) { [self] in
            check = nil
            guard let started else { return }
            let now = NIODeadline.now()
            let elapsed = now - started
            let stalled = now - lastPart > timeout
            let trickling = elapsed > timeout && Double(bytes) < Double(Self.minimumBytesPerSecond) * Double(elapsed.nanoseconds) / 1e9
            if stalled || trickling {
                context.close(promise: nil)
            } else {
                startChecking(context)
            }
        }
    }

    private func stopChecking() {
        check?.cancel()
        check = nil
    }
}
