import NIOCore
import NIOHTTPTypes

/// Closes a connection whose request body stalls or trickles, so slow clients cannot hold connections open.
///
/// Hummingbird's idle timeout closes a connection that sends no complete request head in time or sits idle
/// between requests; a body that sends a few bytes now and then keeps it alive. This handler sees the decoded
/// request parts and the reads the server asks for. Only time during which the server waits for the client (a
/// read is outstanding) counts: a body that sends nothing for `timeout` of that time, or that has averaged less
/// than `minimumBytesPerSecond` over it once `timeout` has passed, gets its connection closed. A server that
/// stops reading because it is busy (backpressure) is never blamed on the client; uploads at any real network
/// speed are unaffected; a client sending five bytes a second is cut off after `timeout`.
final class SlowBodyGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = NIOAny
    typealias OutboundOut = NIOAny

    /// The slowest average a body may keep up after `timeout` (1 KiB/s).
    static let minimumBytesPerSecond = 1024

    let timeout: TimeAmount
    private var inBody = false
    private var bytes = 0
    /// Time spent waiting for the client's body before the current wait.
    private var waited: TimeAmount = .zero
    /// When the outstanding read was asked for, or the last body part arrived during it; nil when none is outstanding.
    private var waitingSince: NIODeadline?
    private var lastPartOrRead: NIODeadline = .now()
    private var check: Scheduled<Void>?

    init(timeout: TimeAmount) {
        self.timeout = timeout
    }

    func read(context: ChannelHandlerContext) {
        if waitingSince == nil {
            waitingSince = .now()
            lastPartOrRead = .now()
        }
        context.read()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            inBody = true
            bytes = 0
            waited = .zero
            lastPartOrRead = .now()
            if waitingSince != nil { waitingSince = .now() }
            startChecking(context)
        case .body(let buffer):
            bytes += buffer.readableBytes
            lastPartOrRead = .now()
        case .end:
            inBody = false
            stopChecking()
        }
        context.fireChannelRead(data)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if let since = waitingSince, inBody { waited = waited + (.now() - since) }
        waitingSince = nil
        context.fireChannelReadComplete()
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
            guard inBody else { return }
            if isTooSlow(now: .now()) {
                context.close(promise: nil)
            } else {
                startChecking(context)
            }
        }
    }

    /// Whether the client, while the server waited for it, sent nothing for `timeout` or averaged under the minimum.
    private func isTooSlow(now: NIODeadline) -> Bool {
        guard let since = waitingSince else { return false }
        let total = waited + (now - since)
        let stalled = now - lastPartOrRead > timeout
        let trickling = total > timeout && Double(bytes) < Double(Self.minimumBytesPerSecond) * Double(total.nanoseconds) / 1e9
        return stalled || trickling
    }

    private func stopChecking() {
        check?.cancel()
        check = nil
    }
}
