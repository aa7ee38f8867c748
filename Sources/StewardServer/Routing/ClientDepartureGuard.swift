import NIOCore

/// Tells the gateway when a connection's client goes away — ends its side, or breaks the connection — so that a
/// call it is waiting on a provider for is cancelled (`AbandonedCalls`). The connection itself is left as it is:
/// the server keeps a half-closed connection open to answer what was asked, and other routes rely on that.
final class ClientDepartureGuard: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed { AbandonedCalls.shared.clientLeft(context.channel) }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        AbandonedCalls.shared.clientLeft(context.channel)
        context.fireChannelInactive()
    }
}
