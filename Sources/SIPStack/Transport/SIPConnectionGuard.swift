import NIOCore
import NIOTLS

/// Holds each SIP stream connection the ``SIPAcceptGate`` admitted to the
/// deadlines an open port needs:
/// - a TLS handshake within `handshakeTimeout`;
/// - a whole message (or keep-alive) within `idleTimeout` of the last one, so
///   an idle connection, or one that drips a byte at a time, is closed.
/// It sits after the framer, so "a message" means a whole frame.
final class SIPConnectionGuard: ChannelInboundHandler {
    typealias InboundIn = [UInt8]
    typealias InboundOut = [UInt8]

    private let isTLS: Bool
    private let handshakeTimeout: TimeAmount
    private let idleTimeout: TimeAmount
    private var deadline: Scheduled<Void>?

    init(isTLS: Bool, handshakeTimeout: TimeAmount, idleTimeout: TimeAmount) {
        self.isTLS = isTLS
        self.handshakeTimeout = handshakeTimeout
        self.idleTimeout = idleTimeout
    }

    func channelActive(context: ChannelHandlerContext) {
        arm(context, after: isTLS ? handshakeTimeout : idleTimeout)
        context.fireChannelActive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .handshakeCompleted = event as? TLSUserEvent { arm(context, after: idleTimeout) }
        context.fireUserInboundEventTriggered(event)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        arm(context, after: idleTimeout)
        context.fireChannelRead(data)
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
        context.fireChannelInactive()
    }

    private func arm(_ context: ChannelHandlerContext, after delay: TimeAmount) {
        deadline?.cancel()
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        deadline = context.eventLoop.scheduleTask(in: delay) {
            loopBound.value.close(promise: nil)
        }
    }
}

@available(*, unavailable)
extension SIPConnectionGuard: Sendable {}
