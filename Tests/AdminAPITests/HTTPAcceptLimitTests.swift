import Foundation
import HTTPEdge
import Hummingbird
import HushboxTestSupport
import Logging
import NetworkLimits
import NIOCore
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

extension AdminAPISuite {
    /// The listener configuration every HTTP listener uses (the receiver's, the
    /// admin API's and its redirect, the operations endpoint), on a real socket.
    /// A handler nearer the socket than the guard holds each refused
    /// connection's close, as an event loop too busy to run it would.
    @Suite("HTTP listeners: the accept limit")
    struct HTTPAcceptLimitTests {
        @Test("While refused connections cannot close, a listener accepts its budget and 16 more (and one accept batch), no further; as they close it accepts the rest")
        func acceptLimit() async throws {
            let budget = ConnectionBudget(limits: .init(total: 2, perSource: 2, requestDeadline: .seconds(30)))
            let closes = HeldCloses()
            let router = Router()
            router.get("/") { _, _ in "ok" }
            try await HTTPSListenerTests.serving({ running in
                Application(
                    router: router, server: .http1(configuration: budget.http1Configuration(outerHandlers: { [CloseHolder(closes)] })),
                    configuration: budget.listenerConfiguration(address: .hostname("127.0.0.1", port: 0), serverName: "test", logger: Logger(label: "test")),
                    onServerRunning: running, logger: Logger(label: "test")
                )
            }) { port in
                let sockets = (0..<60).map { _ in LoopbackSocket(type: Int32(SOCK_STREAM.rawValue), port: port) }
                defer {
                    closes.release()
                    for socket in sockets { socket.close() }
                }
                #expect(sockets.allSatisfy { $0.connect() }, "the kernel completes every connection, accepted or waiting in the backlog")

                // The first two hold the budget; each later one is refused and its close held.
                let limit = 2 + ConnectionBudget.closingAllowance
                try await closes.waitUntilSteady(atLeast: limit)
                #expect((limit...limit + 3).contains(closes.accepted), "accepted \(closes.accepted) of 60 while \(closes.held) closes are held")
                try await closes.waitFor("every connection past the first two refused and its close held") { closes.held == closes.accepted - 2 }

                // The closes run: the listener accepts again, and every one is refused in turn.
                closes.release()
                try await closes.waitUntilSteady(atLeast: 60)
                #expect(closes.accepted == 60)
                try await closes.waitFor("58 refused") { budget.snapshot.refused == 58 }
            }
        }

        /// The connections the listener set up, and the closes held back.
        final class HeldCloses: Sendable {
            private struct State {
                var accepted = 0
                var holding = true
                var held: [@Sendable () -> Void] = []
            }
            private let state = Mutex(State())

            var accepted: Int { state.withLock { $0.accepted } }
            var held: Int { state.withLock { $0.held.count } }

            func connectionSetUp() { state.withLock { $0.accepted += 1 } }

            /// Holds `close` while holding; false when it may run now.
            func hold(_ close: @escaping @Sendable () -> Void) -> Bool {
                state.withLock { state in
                    guard state.holding else { return false }
                    state.held.append(close)
                    return true
                }
            }

            func release() {
                let held = state.withLock { state in
                    state.holding = false
                    defer { state.held = [] }
                    return state.held
                }
                for close in held { close() }
            }

            func waitFor(_ what: String, _ condition: () -> Bool) async throws {
                let deadline = ContinuousClock.now + .seconds(10)
                while !condition() {
                    guard ContinuousClock.now < deadline else { throw TestTimeout(what: what) }
                    try await Task.sleep(for: .milliseconds(20))
                }
            }

            /// Waits until `accepted` is at least `count` and has not grown for half a second (10 s at most).
            func waitUntilSteady(atLeast count: Int) async throws {
                let deadline = ContinuousClock.now + .seconds(10)
                var last = -1
                var since = ContinuousClock.now
                while ContinuousClock.now < deadline {
                    let now = accepted
                    if now != last { (last, since) = (now, .now) }
                    if now >= count, ContinuousClock.now - since >= .milliseconds(500) { return }
                    try await Task.sleep(for: .milliseconds(20))
                }
                throw TestTimeout(what: "\(count) connections accepted and no more for 0.5 s (accepted \(accepted))")
            }
        }

        final class CloseHolder: ChannelOutboundHandler, RemovableChannelHandler {
            typealias OutboundIn = NIOAny
            private let closes: HeldCloses

            init(_ closes: HeldCloses) {
                self.closes = closes
            }

            func handlerAdded(context: ChannelHandlerContext) {
                closes.connectionSetUp()
            }

            func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
                let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
                let loop = context.eventLoop
                let held = closes.hold { loop.execute { bound.value.close(mode: mode, promise: promise) } }
                if !held { context.close(mode: mode, promise: promise) }
            }
        }
    }
}
