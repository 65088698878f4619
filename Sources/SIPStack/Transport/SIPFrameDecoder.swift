import NIOCore
import SIPCore

/// Frames SIP messages on a TCP or TLS stream by Content-Length (RFC 3261
/// §18.3), with the parser's limits, so one peer cannot make the box buffer
/// more than one maximum-size message. CRLF keep-alives (RFC 5626 §3.5.1) are
/// passed up as frames of their own so they can be answered.
struct SIPFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = [UInt8]

    private let parser: SIPParser

    init(parser: SIPParser = SIPParser()) {
        self.parser = parser
    }

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard buffer.readableBytes > 0 else { return .needMoreData }
        let available = Array(buffer.readableBytesView.prefix(parser.limits.maximumMessageBytes + 4))
        if available.first == 0x0D || available.first == 0x0A {
            // A keep-alive: as many CR and LF bytes as there are, up to a message's start.
            let count = available.prefix { $0 == 0x0D || $0 == 0x0A }.count
            guard count < available.count || count >= 4 else { return .needMoreData }
            let frame = buffer.readBytes(length: count) ?? []
            context.fireChannelRead(wrapInboundOut(frame))
            return .continue
        }
        guard let length = try parser.frameLength(in: available) else { return .needMoreData }
        guard let frame = buffer.readBytes(length: length) else { return .needMoreData }
        context.fireChannelRead(wrapInboundOut(frame))
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        try decode(context: context, buffer: &buffer)
    }
}
