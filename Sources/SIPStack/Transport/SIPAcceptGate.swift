import NetworkLimits
import NIOCore

/// Admits or refuses each connection on the listening channel, the moment it
/// is accepted: before it has a pipeline, a TLS handshake or a timer.
/// - A connection from an address that is no peer's (when strangers are
///   dropped), or over the ``ConnectionBudget``, is closed here. An admitted
///   one holds its place in the budget until it closes.
/// - A refused connection still holds its descriptor until its close has run on
///   its own event loop, which on a busy box can be a while. So while
///   `refusingLimit` of them are still closing, the gate stops accepting and
///   the rest wait in the kernel's listen backlog, where they cost the process
///   nothing. A flood of connections therefore costs at most the budget plus
///   `refusingLimit` (and one read's batch) descriptors for each listener,
///   however busy the event loops are.
///
/// The price: while the gate holds, a peer's new connection waits in the
/// backlog behind the flood's, and if the backlog fills the kernel drops SYNs
/// (the peer's TCP retries). Running out of descriptors would refuse every
/// connection and fail the calls' files; waiting is the lesser harm.
final class SIPAcceptGate: ChannelDuplexHandler {
    typealias InboundIn = any Channel
    typealias InboundOut = any Channel
    typealias OutboundIn = NIOAny
    typealias OutboundOut = NIOAny

    private let budget: ConnectionBudget
    private let admits: @Sendable (String) -> Bool
    private let strangerRefused: @Sendable () -> Void
    private let refusingLimit: Int
    private var refusing = 0
    private var readHeld = false

    /// - Parameters:
    ///   - admits: whether an address may connect at all (a peer's, or any when strangers are answered).
    ///   - strangerRefused: counts a connection refused by `admits` (the budget counts its own refusals).
    init(
        budget: ConnectionBudget, admits: @escaping @Sendable (String) -> Bool, refusingLimit: Int = ConnectionBudget.closingAllowance,
        strangerRefused: @escaping @Sendable () -> Void
    ) {
        self.budget = budget
        self.admits = admits
        self.refusingLimit = refusingLimit
        self.strangerRefused = strangerRefused
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let connection = Self.unwrapInboundIn(data)
        let address = connection.remoteAddress?.ipAddress ?? "unknown"
        let stranger = !admits(address)
        if !stranger, budget.take(address) {
            let budget = budget
            connection.closeFuture.whenComplete { _ in budget.give(address) }
            context.fireChannelRead(data)
            return
        }
        if stranger { strangerRefused() }
        refusing += 1
        connection.closeFuture.hop(to: context.eventLoop).assumeIsolated().whenComplete { _ in
            self.refusing -= 1
            self.resumeAccepting(context)
        }
        connection.close(promise: nil)
    }

    func read(context: ChannelHandlerContext) {
        guard refusing < refusingLimit else {
            readHeld = true
            return
        }
        context.read()
    }

    private func resumeAccepting(_ context: ChannelHandlerContext) {
        guard readHeld, refusing < refusingLimit else { return }
        readHeld = false
        context.read()
    }
}

@available(*, unavailable)
extension SIPAcceptGate: Sendable {}
