public import NetworkLimits
public import NIOCore
import NIOHTTPTypes

/// Holds each connection to its ``ConnectionBudget`` and to a deadline: the
/// next request must have arrived whole within `requestDeadline` of the
/// connection's start or of the previous request's end, or the connection is
/// closed. That is what ends a slow-loris (a handshake never finished, a head
/// or a body sent a byte at a time) without limiting honest uploads, whose
/// chunks arrive in seconds.
final class ConnectionGuardHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart

    private let budget: ConnectionBudget
    private var source: String?
    private var deadline: Scheduled<Void>?

    init(budget: ConnectionBudget) {
        self.budget = budget
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { admit(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        admit(context)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .end = unwrapInboundIn(data) { arm(context) }
        context.fireChannelRead(data)
    }

    func channelInactive(context: ChannelHandlerContext) {
        release()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        release()
    }

    private func admit(_ context: ChannelHandlerContext) {
        guard source == nil else { return }
        let address = context.remoteAddress?.ipAddress ?? "unknown"
        guard budget.take(address) else {
            context.close(promise: nil)
            return
        }
        source = address
        arm(context)
    }

    private func arm(_ context: ChannelHandlerContext) {
        deadline?.cancel()
        let nanoseconds = budget.limits.requestDeadlineNanoseconds
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        deadline = context.eventLoop.scheduleTask(in: .nanoseconds(nanoseconds)) {
            loopBound.value.close(promise: nil)
        }
    }

    private func release() {
        deadline?.cancel()
        deadline = nil
        if let source {
            budget.give(source)
            self.source = nil
        }
    }
}

@available(*, unavailable)
extension ConnectionGuardHandler: Sendable {}

extension ConnectionBudget {
    /// The handler to add to each connection (Hummingbird's `additionalChannelHandlers`).
    public func makeHandler() -> any RemovableChannelHandler {
        ConnectionGuardHandler(budget: self)
    }
}
