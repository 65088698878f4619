import NetworkLimits
import NIOCore
import NIOHTTPTypes

/// Holds each connection to its ``ConnectionBudget`` and to a deadline: the
/// next request must have arrived whole within `requestDeadline` of the
/// connection's start or of the previous response's end, or the connection is
/// closed. That is what ends a slow-loris (a handshake never finished, a head
/// or a body sent a byte at a time) without limiting honest uploads, whose
/// chunks arrive in seconds. While the box is answering (a message's audio
/// streaming to a slow phone) the clock is stopped: the deadline is for the
/// client's side of the exchange.
final class ConnectionGuardHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

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
        if case .end = unwrapInboundIn(data) {
            // The request is whole: the answer is the box's to give, however long it streams.
            deadline?.cancel()
            deadline = nil
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { arm(context) }
        context.write(data, promise: promise)
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
    /// The handler to add to each connection (see ``http1Configuration(outerHandlers:)``).
    func makeHandler() -> any RemovableChannelHandler {
        ConnectionGuardHandler(budget: self)
    }
}
