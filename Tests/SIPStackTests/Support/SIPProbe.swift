import HushboxTestSupport
import NIOCore
import NIOPosix
import NIOSSL
import SIPCore
import Testing
import Synchronization
@testable import SIPStack

/// A minimal SIP peer on loopback for driving a running endpoint: sends raw
/// messages over UDP, TCP or TLS and collects every message that comes back.
final class SIPProbe: Sendable {
    let transport: SIPTransport
    let channel: any Channel
    private let inbox: Inbox
    private let target: SocketAddress

    var localPort: Int { channel.localAddress?.port ?? 0 }

    /// - Parameter localHost: the loopback address UDP is sent from (any of 127/8 is this host's).
    init(_ transport: SIPTransport, to port: Int, from localHost: String = "127.0.0.1", tls: TLSConfiguration? = nil) async throws {
        self.transport = transport
        let sink = Inbox()
        inbox = sink
        target = try SocketAddress(ipAddress: "127.0.0.1", port: port)
        switch transport {
        case .udp:
            channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(Collector<AddressedEnvelope<ByteBuffer>>(sink: sink) { Array($0.data.readableBytesView) }) }
                }
                .bind(host: localHost, port: 0).get()
        case .tcp, .tls:
            var configuration = tls ?? TLSConfiguration.makeClientConfiguration()
            if tls == nil { configuration.certificateVerification = .none }
            let context = try NIOSSLContext(configuration: configuration)
            channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if transport == .tls {
                            try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: context, serverHostname: nil))
                        }
                        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(SIPFrameDecoder()))
                        try channel.pipeline.syncOperations.addHandler(Collector<[UInt8]>(sink: sink) { $0 })
                    }
                }
                .connect(host: "127.0.0.1", port: port).get()
        }
    }

    func send(_ text: String) async throws {
        let buffer = channel.allocator.buffer(string: text)
        if transport == .udp {
            try await channel.writeAndFlush(AddressedEnvelope(remoteAddress: target, data: buffer))
        } else {
            try await channel.writeAndFlush(buffer)
        }
    }

    /// For a UDP probe playing a server: sends a response to the top Via's port.
    func sendResponse(_ response: SIPResponse, to request: SIPRequest) async throws {
        let port = try #require(try request.headers.vias().first?.port)
        let address = try SocketAddress(ipAddress: "127.0.0.1", port: port)
        try await channel.writeAndFlush(AddressedEnvelope(remoteAddress: address, data: channel.allocator.buffer(bytes: response.serialized)))
    }

    /// The next message received, waiting at most `limit` of real time (15 s: under a full
    /// parallel run of the suites one 5 s wait ran out on a UDP probe, though the test alone never comes near it).
    func next(within limit: Duration = .seconds(15)) async throws -> SIPMessage {
        let deadline = ContinuousClock.now.advanced(by: limit)
        while true {
            if let bytes = inbox.take() { return try SIPParser().parse(datagram: bytes) }
            guard ContinuousClock.now < deadline else { throw TestTimeout(what: "a SIP message on the \(transport) probe") }
            try await Task.sleep(for: .milliseconds(2))
        }
    }

    /// The next response, skipping requests.
    func nextResponse(within limit: Duration = .seconds(15)) async throws -> SIPResponse {
        while true {
            if case .response(let response) = try await next(within: limit) { return response }
        }
    }

    /// Whether nothing arrives within `window` of real time.
    func staysQuiet(for window: Duration) async -> Bool {
        (try? await next(within: window)) == nil
    }

    func close() async {
        try? await channel.close()
    }
}

/// Messages received and not yet taken, in order.
final class Inbox: Sendable {
    private let messages = Mutex<[[UInt8]]>([])

    func put(_ bytes: [UInt8]) { messages.withLock { $0.append(bytes) } }

    func take() -> [UInt8]? {
        messages.withLock { $0.isEmpty ? nil : $0.removeFirst() }
    }
}

private final class Collector<Inbound>: ChannelInboundHandler {
    typealias InboundIn = Inbound
    private let sink: Inbox
    private let bytes: (Inbound) -> [UInt8]

    init(sink: Inbox, bytes: @escaping (Inbound) -> [UInt8]) {
        self.sink = sink
        self.bytes = bytes
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let message = bytes(unwrapInboundIn(data))
        // Keep-alive CRLFs are not messages.
        if !message.allSatisfy({ $0 == 13 || $0 == 10 }) { sink.put(message) }
    }
}

@available(*, unavailable)
extension Collector: Sendable {}
