/// RTCP (RFC 3550 §6): sender and receiver reports with their report blocks,
/// SDES CNAME and BYE, as values; other packet types kept as raw bytes.
/// A datagram carries a compound packet: several of these back to back.
public enum RTCPPacket: Sendable, Hashable {
    case senderReport(SenderReport)
    case receiverReport(ReceiverReport)
    /// SDES with the CNAME item of each chunk (§6.5); other items are skipped.
    case sourceDescription([UInt32: String])
    case goodbye([UInt32])
    case other(packetType: UInt8, bytes: [UInt8])

    /// §6.4.1 report block: how one source's stream is arriving.
    public struct ReportBlock: Sendable, Hashable {
        public var ssrc: UInt32
        /// Lost since the last report, as a fraction of 256.
        public var fractionLost: UInt8
        /// Cumulative lost, 24-bit signed (duplicates can make it negative).
        public var cumulativeLost: Int32
        public var extendedHighestSequence: UInt32
        /// Interarrival jitter in timestamp units.
        public var jitter: UInt32
        /// The middle 32 bits of the last SR's NTP timestamp from this source.
        public var lastSenderReport: UInt32
        /// Delay since that SR, in 1/65536 s.
        public var delaySinceLastSenderReport: UInt32

        public init(ssrc: UInt32, fractionLost: UInt8, cumulativeLost: Int32, extendedHighestSequence: UInt32, jitter: UInt32, lastSenderReport: UInt32, delaySinceLastSenderReport: UInt32) {
            self.ssrc = ssrc
            self.fractionLost = fractionLost
            self.cumulativeLost = cumulativeLost
            self.extendedHighestSequence = extendedHighestSequence
            self.jitter = jitter
            self.lastSenderReport = lastSenderReport
            self.delaySinceLastSenderReport = delaySinceLastSenderReport
        }
    }

    public struct SenderReport: Sendable, Hashable {
        public var ssrc: UInt32
        public var ntpTimestamp: UInt64
        public var rtpTimestamp: UInt32
        public var packetCount: UInt32
        public var octetCount: UInt32
        public var reports: [ReportBlock]

        public init(ssrc: UInt32, ntpTimestamp: UInt64, rtpTimestamp: UInt32, packetCount: UInt32, octetCount: UInt32, reports: [ReportBlock] = []) {
            self.ssrc = ssrc
            self.ntpTimestamp = ntpTimestamp
            self.rtpTimestamp = rtpTimestamp
            self.packetCount = packetCount
            self.octetCount = octetCount
            self.reports = reports
        }
    }

    public struct ReceiverReport: Sendable, Hashable {
        public var ssrc: UInt32
        public var reports: [ReportBlock]

        public init(ssrc: UInt32, reports: [ReportBlock]) {
            self.ssrc = ssrc
            self.reports = reports
        }
    }

    /// Parses a compound RTCP packet.
    public static func parseCompound(_ bytes: [UInt8]) throws(RTCPParseError) -> [RTCPPacket] {
        var packets: [RTCPPacket] = []
        var offset = 0
        while offset < bytes.count {
            guard bytes.count - offset >= 4 else { throw .truncated }
            guard bytes[offset] >> 6 == 2 else { throw .wrongVersion }
            let count = Int(bytes[offset] & 0x1F)
            let packetType = bytes[offset + 1]
            let length = ((Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])) + 1) * 4
            guard bytes.count - offset >= length else { throw .truncated }
            var body = Array(bytes[(offset + 4)..<(offset + length)])
            if bytes[offset] & 0x20 != 0, let padding = body.last {
                guard Int(padding) <= body.count else { throw .truncated }
                body.removeLast(Int(padding))
            }
            packets.append(try parse(type: packetType, count: count, body: body, raw: Array(bytes[offset..<(offset + length)])))
            offset += length
        }
        // §6.1: a compound packet starts with SR or RR.
        if let first = packets.first {
            switch first {
            case .senderReport, .receiverReport: break
            default: throw .notStartingWithReport
            }
        }
        return packets
    }

    private static func parse(type: UInt8, count: Int, body: [UInt8], raw: [UInt8]) throws(RTCPParseError) -> RTCPPacket {
        switch type {
        case 200:
            guard body.count >= 24 + count * 24 else { throw .truncated }
            let ntp = UInt64(RTPPacket.word(body, at: 4)) << 32 | UInt64(RTPPacket.word(body, at: 8))
            return .senderReport(SenderReport(
                ssrc: RTPPacket.word(body, at: 0), ntpTimestamp: ntp, rtpTimestamp: RTPPacket.word(body, at: 12),
                packetCount: RTPPacket.word(body, at: 16), octetCount: RTPPacket.word(body, at: 20),
                reports: (0..<count).map { reportBlock(body, at: 24 + $0 * 24) }
            ))
        case 201:
            guard body.count >= 4 + count * 24 else { throw .truncated }
            return .receiverReport(ReceiverReport(ssrc: RTPPacket.word(body, at: 0), reports: (0..<count).map { reportBlock(body, at: 4 + $0 * 24) }))
        case 202:
            var names: [UInt32: String] = [:]
            var offset = 0
            for _ in 0..<count {
                guard body.count >= offset + 4 else { throw .truncated }
                let ssrc = RTPPacket.word(body, at: offset)
                offset += 4
                while offset < body.count, body[offset] != 0 {
                    guard offset + 1 < body.count, offset + 2 + Int(body[offset + 1]) <= body.count else { throw .truncated }
                    let length = Int(body[offset + 1])
                    if body[offset] == 1 { names[ssrc] = String(decoding: body[(offset + 2)..<(offset + 2 + length)], as: UTF8.self) }
                    offset += 2 + length
                }
                // The chunk ends with a null item and pads to a 32-bit boundary.
                offset = (offset / 4 + 1) * 4
            }
            return .sourceDescription(names)
        case 203:
            guard body.count >= count * 4 else { throw .truncated }
            return .goodbye((0..<count).map { RTPPacket.word(body, at: $0 * 4) })
        default:
            return .other(packetType: type, bytes: raw)
        }
    }

    private static func reportBlock(_ body: [UInt8], at offset: Int) -> ReportBlock {
        let lossWord = RTPPacket.word(body, at: offset + 4)
        // 24-bit two's complement.
        let cumulative = Int32(bitPattern: (lossWord & 0x00FF_FFFF) << 8) >> 8
        return ReportBlock(
            ssrc: RTPPacket.word(body, at: offset), fractionLost: UInt8(lossWord >> 24), cumulativeLost: cumulative,
            extendedHighestSequence: RTPPacket.word(body, at: offset + 8), jitter: RTPPacket.word(body, at: offset + 12),
            lastSenderReport: RTPPacket.word(body, at: offset + 16), delaySinceLastSenderReport: RTPPacket.word(body, at: offset + 20)
        )
    }

    /// The bytes of this one packet (concatenate several for a compound packet).
    public var serialized: [UInt8] {
        var body: [UInt8] = []
        let type: UInt8
        let count: Int
        switch self {
        case .senderReport(let report):
            type = 200
            count = report.reports.count
            RTPPacket.append(report.ssrc, to: &body)
            RTPPacket.append(UInt32(report.ntpTimestamp >> 32), to: &body)
            RTPPacket.append(UInt32(truncatingIfNeeded: report.ntpTimestamp), to: &body)
            RTPPacket.append(report.rtpTimestamp, to: &body)
            RTPPacket.append(report.packetCount, to: &body)
            RTPPacket.append(report.octetCount, to: &body)
            for block in report.reports { Self.append(block, to: &body) }
        case .receiverReport(let report):
            type = 201
            count = report.reports.count
            RTPPacket.append(report.ssrc, to: &body)
            for block in report.reports { Self.append(block, to: &body) }
        case .sourceDescription(let names):
            type = 202
            count = names.count
            for (ssrc, name) in names.sorted(by: { $0.key < $1.key }) {
                RTPPacket.append(ssrc, to: &body)
                let text = Array(name.utf8.prefix(255))
                body += [1, UInt8(text.count)] + text + [0]
                while body.count % 4 != 0 { body.append(0) }
            }
        case .goodbye(let sources):
            type = 203
            count = sources.count
            for ssrc in sources { RTPPacket.append(ssrc, to: &body) }
        case .other(_, let bytes):
            return bytes
        }
        let words = body.count / 4
        return [0x80 | UInt8(count), type, UInt8(words >> 8), UInt8(truncatingIfNeeded: words)] + body
    }

    private static func append(_ block: ReportBlock, to body: inout [UInt8]) {
        RTPPacket.append(block.ssrc, to: &body)
        RTPPacket.append(UInt32(block.fractionLost) << 24 | (UInt32(bitPattern: block.cumulativeLost) & 0x00FF_FFFF), to: &body)
        RTPPacket.append(block.extendedHighestSequence, to: &body)
        RTPPacket.append(block.jitter, to: &body)
        RTPPacket.append(block.lastSenderReport, to: &body)
        RTPPacket.append(block.delaySinceLastSenderReport, to: &body)
    }
}

public enum RTCPParseError: Error, Hashable, Sendable, CustomStringConvertible {
    case truncated
    case wrongVersion
    case notStartingWithReport

    public var description: String {
        switch self {
        case .truncated: "an RTCP packet is longer than the datagram"
        case .wrongVersion: "an RTCP packet is not version 2"
        case .notStartingWithReport: "a compound RTCP packet must start with a sender or receiver report (RFC 3550 §6.1)"
        }
    }
}
