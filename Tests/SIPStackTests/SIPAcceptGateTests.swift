import NetworkLimits
import NIOCore
import NIOEmbedded
import Synchronization
import Testing
@testable import SIPStack

/// The listening channel's gate, on embedded channels: each accepted
/// connection is an `EmbeddedChannel` whose close the test holds, as a busy
/// event loop would, so "still closing" lasts exactly as long as the test says.
@Suite("Accepting SIP connections: strangers and connections over the budget are closed at accept, and a flood costs bounded descriptors")
struct SIPAcceptGateTests {
    static let peer = "127.0.0.2"

    @Test("While 16 refused connections are still closing the listener stops accepting; each close that completes lets it accept again")
    func floodPausesAccepting() throws {
        let listener = try Listener(limits: .init(total: 8, perSource: 2))
        var connections: [HeldClose] = []
        for index in 0..<16 {
            let connection = try listener.accept(from: "127.30.0.\(index + 1)")
            #expect(connection.closeRequested, "a stranger is closed at accept")
            #expect(try listener.channel.readInbound(as: (any Channel).self) == nil, "no pipeline is built for a stranger")
            connections.append(connection)
        }
        #expect(listener.strangersRefused.count == 16)

        // The next read the listener asks for is held: the 17th stranger waits in the kernel's backlog.
        let readsBefore = listener.reads.count
        listener.channel.read()
        #expect(listener.reads.count == readsBefore, "accepting paused with 16 refusals still closing")

        // One close completes on its loop: accepting resumes with the read that was held.
        try connections.removeFirst().finishClose()
        listener.settle()
        #expect(listener.reads.count == readsBefore + 1)
        // A read now passes straight through; the gate holds again only at the limit.
        listener.channel.read()
        #expect(listener.reads.count == readsBefore + 2)
        for connection in connections { try connection.finishClose() }
    }

    @Test("A peer's connections are admitted up to its share of the budget; the next is refused and counted; a closed one gives its place back")
    func budgetAtAccept() throws {
        let listener = try Listener(limits: .init(total: 8, perSource: 2))
        let first = try listener.accept(from: Self.peer)
        let second = try listener.accept(from: Self.peer)
        for connection in [first, second] {
            #expect(!connection.closeRequested)
            #expect(try listener.channel.readInbound(as: (any Channel).self) === connection.channel, "admitted: passed on to set up its pipeline")
        }
        #expect(listener.budget.snapshot == (open: 2, refused: 0))

        let third = try listener.accept(from: Self.peer)
        #expect(third.closeRequested, "over the per-address share: closed at accept")
        #expect(try listener.channel.readInbound(as: (any Channel).self) == nil)
        #expect(listener.budget.snapshot == (open: 2, refused: 1))
        #expect(listener.strangersRefused.count == 0, "a peer over its share is no stranger: the budget counts it")
        try third.finishClose()

        // The peer closes one: its place is free again.
        first.channel.close(promise: nil)
        try first.finishClose()
        listener.settle()
        #expect(listener.budget.snapshot.open == 1)
        let fourth = try listener.accept(from: Self.peer)
        #expect(!fourth.closeRequested)
        #expect(listener.budget.snapshot == (open: 2, refused: 1))
    }

    /// A listening channel with the gate, and a handler at the head that counts
    /// the reads it asks of the socket.
    struct Listener {
        let channel = EmbeddedChannel()
        let budget: ConnectionBudget
        let reads = ReadCounter()
        let strangersRefused = Tally()

        init(limits: ConnectionBudget.Limits) throws {
            budget = ConnectionBudget(limits: limits)
            let refused = strangersRefused
            try channel.pipeline.syncOperations.addHandler(reads)
            try channel.pipeline.syncOperations.addHandler(
                SIPAcceptGate(budget: budget, admits: { $0 == SIPAcceptGateTests.peer }) { refused.add() }
            )
        }

        /// A connection from `address` arriving at the listener.
        /// Runs what the closes of accepted connections handed to the listener's loop.
        func settle() {
            channel.embeddedEventLoop.run()
        }

        func accept(from address: String) throws -> HeldClose {
            let connection = try HeldClose(from: address)
            try channel.writeInbound(connection.channel as any Channel)
            return connection
        }
    }

    /// An accepted connection whose close waits until ``finishClose()``.
    final class HeldClose {
        let channel = EmbeddedChannel()
        private let holder = CloseHolder()

        init(from address: String) throws {
            channel.remoteAddress = try SocketAddress(ipAddress: address, port: 40_000)
            try channel.pipeline.syncOperations.addHandler(holder)
        }

        var closeRequested: Bool { holder.held != nil }

        func finishClose() throws {
            let held = try #require(holder.held, "the connection was asked to close")
            held.context.close(mode: .all, promise: held.promise)
            holder.held = nil
            channel.embeddedEventLoop.run()
        }
    }

    final class CloseHolder: ChannelOutboundHandler {
        typealias OutboundIn = NIOAny
        var held: (context: ChannelHandlerContext, promise: EventLoopPromise<Void>?)?

        func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
            held = (context, promise)
        }
    }

    final class ReadCounter: ChannelOutboundHandler {
        typealias OutboundIn = NIOAny
        private(set) var count = 0

        func read(context: ChannelHandlerContext) {
            count += 1
            context.read()
        }
    }

    final class Tally: Sendable {
        private let value = Atomic<Int>(0)
        func add() { value.add(1, ordering: .relaxed) }
        var count: Int { value.load(ordering: .relaxed) }
    }
}
