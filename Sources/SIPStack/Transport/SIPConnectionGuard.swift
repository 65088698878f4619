import NetworkLimits
import NIOCore
import NIOTLS

/// Holds each SIP stream connection to the rules an open port needs:
/// - an address that is no peer's is closed at once when strangers are
///   dropped (before a TLS handshake costs anything);
/// - the ``ConnectionBudget``, in all and per address;
/// - a TLS handshake within `handshakeTimeout`;
/// - a whole message (or keep-alive) within `idleTimeout` of the last one, so
///   an idle connection, or one that drips a byte at a time, is closed.
/// It sits after the framer, so "a message" means a whole frame.
final class SIPConnectionGuard: ChannelInboundHandler {
    typealias InboundIn = [UInt8]
    typealias InboundOut = [UInt8]

    private let budget: ConnectionBudget
    private let admits: @Sendable (String) -> Bool
    private let isTLS: Bool
    private let handshakeTimeout: TimeAmount
    private let idleTimeout: TimeAmount
    private let refused: @Sendable () -> Void
    private var source: String?
    private var deadline: Scheduled<Void>?

    init(
        budget: ConnectionBudget, isTLS: Bool, handshakeTimeout: TimeAmount, idleTimeout: TimeAmount,
        admits: @escaping @Sendable (String) -> Bool, refused: @escaping @Sendable () -> Void
    ) {
        self.budget = budget
        self.isTLS = isTLS
        self.handshakeTimeout = handshakeTimeout
        self.idleTimeout = idleTimeout
        self.admits = admits
        self.refused = refused
    }

    func channelActive(context: ChannelHandlerContext) {
        let address = context.remoteAddress?.ipAddress ?? "unknown"
        guard admits(address), budget.take(address) else {
            refused()
            context.close(promise: nil)
            return
        }
        source = address
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
        if let source {
            budget.give(source)
            self.source = nil
        }
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
