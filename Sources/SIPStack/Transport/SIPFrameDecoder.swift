import NIOCore
import SIPCore

/// Frames SIP messages on a TCP or TLS stream by Content-Length (RFC 3261
/// §18.3), with the parser's limits, so one peer cannot make the box buffer
/// more than one maximum-size message. CRLF keep-alives (RFC 5626 §3.5.1) are
/// passed up as frames of their own so they can be answered.
///
/// Linear in the bytes received: the search for the end of the header fields
/// resumes where the last read left it, and the header bytes are copied once
/// per message, when they are complete. A peer that sends a byte at a time
/// costs a byte's work per byte, not a rescan of everything buffered.
struct SIPFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = [UInt8]

    private enum ReadState {
        /// Searching for CRLFCRLF; this many bytes from the start were searched already.
        case head(searched: Int)
        /// The header fields are complete: the whole message is this long.
        case body(total: Int)
    }

    private let parser: SIPParser
    private var state = ReadState.head(searched: 0)
    /// Bytes looked at while searching for the end of header fields: what a drip costs (the test checks it stays linear).
    private(set) var bytesExamined = 0

    init(parser: SIPParser = SIPParser()) {
        self.parser = parser
    }

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let frame = try nextFrame(&buffer) else { return .needMoreData }
        context.fireChannelRead(wrapInboundOut(frame))
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        try decode(context: context, buffer: &buffer)
    }

    /// The next whole frame, read out of `buffer`; nil while more bytes are needed.
    mutating func nextFrame(_ buffer: inout ByteBuffer) throws -> [UInt8]? {
        let view = buffer.readableBytesView
        guard let first = view.first else { return nil }
        switch state {
        case .body(let total):
            guard view.count >= total else { return nil }
            state = .head(searched: 0)
            return buffer.readBytes(length: total)
        case .head(let searched):
            if searched == 0, first == 0x0D || first == 0x0A {
                // A keep-alive: as many CR and LF bytes as there are, up to a message's start.
                let count = view.prefix { $0 == 0x0D || $0 == 0x0A }.count
                guard count < view.count || count >= 4 else { return nil }
                return buffer.readBytes(length: count)
            }
            let limit = min(view.count, parser.limits.maximumMessageBytes + 4)
            var index = view.startIndex + max(0, searched - 3)
            let end = view.startIndex + limit
            while index + 3 < end {
                bytesExamined += 1
                if view[index] == 0x0D, view[index + 1] == 0x0A, view[index + 2] == 0x0D, view[index + 3] == 0x0A {
                    let head = Array(view[view.startIndex..<(index + 4)])
                    guard let total = try parser.messageLength(in: head) else { return nil }
                    state = .body(total: total)
                    return try nextFrame(&buffer)
                }
                index += 1
            }
            guard view.count <= parser.limits.maximumMessageBytes else {
                throw SIPFrameTooLarge(limit: parser.limits.maximumMessageBytes)
            }
            state = .head(searched: limit)
            return nil
        }
    }
}

/// No end of header fields within the largest message the parser takes: the
/// stream cannot be resynchronised and is closed (RFC 3261 §18.3).
struct SIPFrameTooLarge: Error, CustomStringConvertible {
    let limit: Int
    var description: String { "no end of headers within \(limit) bytes" }
}
