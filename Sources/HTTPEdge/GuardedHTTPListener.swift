public import Hummingbird
public import HummingbirdCore
public import Logging
public import NetworkLimits
public import NIOCore

/// How every HTTP listener holds its connections (the receiver's, the admin
/// API's and its redirect, the operations endpoint): one configuration, so
/// none of them can leave a limit out.
extension ConnectionBudget {
    /// HTTP/1.1 with this budget's guard on each connection (its share, its
    /// request deadline) and the deadline as the idle timeout.
    /// - Parameter outerHandlers: handlers nearer the socket than the guard,
    ///   made for each connection (a test's, to watch what the guard does).
    public func http1Configuration(
        outerHandlers: @escaping @Sendable () -> [any RemovableChannelHandler] = { [] }
    ) -> HTTP1Channel.Configuration {
        .init(additionalChannelHandlers: outerHandlers() + [self.makeHandler()], idleTimeout: .nanoseconds(limits.requestDeadlineNanoseconds))
    }

    /// The listener itself. The guard refuses a connection over the budget
    /// only once its pipeline runs, and the connection holds a descriptor until
    /// its close has run on its event loop; so the listener stops accepting
    /// while the budget's connections and ``closingAllowance`` more are open,
    /// and the rest wait in the kernel's backlog. A connection flood costs
    /// bounded descriptors however busy the event loops are.
    public func listenerConfiguration(address: BindAddress, serverName: String, logger: Logger) -> ApplicationConfiguration {
        .init(
            address: address, serverName: serverName, backlog: Self.listenBacklog,
            availableConnectionsDelegate: MaximumAvailableConnections.maximum(limits.total + Self.closingAllowance, logger: logger)
        )
    }
}
