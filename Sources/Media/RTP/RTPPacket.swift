/// An RTP packet (RFC 3550 §5.1): the fixed header, CSRCs, the header
/// extension (§5.3.1) and the payload, with padding removed. Pure value:
/// bytes in, packet out, and back.
public struct RTPPacket: Sendable, Hashable {
    public struct Extension: Sendable, Hashable {
        /// "defined by profile": 0xBEDE for RFC 8285 one-byte headers.
        public var profile: UInt16
        /// A multiple of four bytes.
        public var data: [UInt8]

        public init(profile: UInt16, data: [UInt8]) {
            self.profile = profile
            self.data = data
        }
    }

    public var marker: Bool
    public var payloadType: UInt8
    public var sequenceNumber: UInt16
    public var timestamp: UInt32
    public var ssrc: UInt32
    public var csrcs: [UInt32]
    public var headerExtension: Extension?
    public var payload: [UInt8]

    public init(
        marker: Bool = false, payloadType: UInt8, sequenceNumber: UInt16, timestamp: UInt32, ssrc: UInt32,
        csrcs: [UInt32] = [], headerExtension: Extension? = nil, payload: [UInt8]
    ) {
        precondition(payloadType < 128, "an RTP payload type has 7 bits, not \(payloadType)")
        precondition(csrcs.count < 16, "at most 15 CSRCs fit the CC field")
        self.marker = marker
        self.payloadType = payloadType
        self.sequenceNumber = sequenceNumber
        self.timestamp = timestamp
        self.ssrc = ssrc
        self.csrcs = csrcs
        self.headerExtension = headerExtension
        self.payload = payload
    }

    /// Parses one datagram's worth of RTP.
    public init(parsing bytes: some Collection<UInt8>) throws(RTPParseError) {
        let bytes = Array(bytes)
        guard bytes.count >= 12 else { throw .tooShort(bytes.count) }
        // §5.1: "version (V): 2 bits ... The version defined by this specification is two (2)."
        guard bytes[0] >> 6 == 2 else { throw .wrongVersion(bytes[0] >> 6) }
        let hasPadding = bytes[0] & 0x20 != 0
        let hasExtension = bytes[0] & 0x10 != 0
        let csrcCount = Int(bytes[0] & 0x0F)
        marker = bytes[1] & 0x80 != 0
        payloadType = bytes[1] & 0x7F
        sequenceNumber = UInt16(bytes[2]) << 8 | UInt16(bytes[3])
        timestamp = Self.word(bytes, at: 4)
        ssrc = Self.word(bytes, at: 8)
        var offset = 12
        guard bytes.count >= offset + csrcCount * 4 else { throw .truncated("CSRC list") }
        csrcs = (0..<csrcCount).map { Self.word(bytes, at: 12 + $0 * 4) }
        offset += csrcCount * 4
        if hasExtension {
            guard bytes.count >= offset + 4 else { throw .truncated("header extension") }
            let profile = UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
            let length = (Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])) * 4
            guard bytes.count >= offset + 4 + length else { throw .truncated("header extension") }
            headerExtension = Extension(profile: profile, data: Array(bytes[(offset + 4)..<(offset + 4 + length)]))
            offset += 4 + length
        } else {
            headerExtension = nil
        }
        var end = bytes.count
        if hasPadding {
            // §5.1: the last octet of the padding counts how many octets to ignore, itself included.
            let padding = Int(bytes[bytes.count - 1])
            guard padding >= 1, end - padding >= offset else { throw .badPadding(padding) }
            end -= padding
        }
        payload = Array(bytes[offset..<end])
    }

    /// The packet's bytes, without padding.
    public var serialized: [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(12 + csrcs.count * 4 + (headerExtension.map { $0.data.count + 4 } ?? 0) + payload.count)
        bytes.append(0x80 | (headerExtension == nil ? 0 : 0x10) | UInt8(csrcs.count))
        bytes.append((marker ? 0x80 : 0) | payloadType)
        bytes.append(UInt8(sequenceNumber >> 8))
        bytes.append(UInt8(truncatingIfNeeded: sequenceNumber))
        Self.append(timestamp, to: &bytes)
        Self.append(ssrc, to: &bytes)
        for csrc in csrcs { Self.append(csrc, to: &bytes) }
        if let headerExtension {
            precondition(headerExtension.data.count % 4 == 0, "a header extension is whole 32-bit words")
            bytes.append(UInt8(headerExtension.profile >> 8))
            bytes.append(UInt8(truncatingIfNeeded: headerExtension.profile))
            let words = headerExtension.data.count / 4
            bytes.append(UInt8(words >> 8))
            bytes.append(UInt8(truncatingIfNeeded: words))
            bytes.append(contentsOf: headerExtension.data)
        }
        bytes.append(contentsOf: payload)
        return bytes
    }

    static func word(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16 | UInt32(bytes[offset + 2]) << 8 | UInt32(bytes[offset + 3])
    }

    static func append(_ word: UInt32, to bytes: inout [UInt8]) {
        bytes.append(UInt8(word >> 24))
        bytes.append(UInt8(truncatingIfNeeded: word >> 16))
        bytes.append(UInt8(truncatingIfNeeded: word >> 8))
        bytes.append(UInt8(truncatingIfNeeded: word))
    }
}

/// Why bytes are not an RTP packet.
public enum RTPParseError: Error, Hashable, Sendable, CustomStringConvertible {
    case tooShort(Int)
    case wrongVersion(UInt8)
    case truncated(String)
    case badPadding(Int)

    public var description: String {
        switch self {
        case .tooShort(let count): "\(count) bytes is shorter than the 12-byte RTP header"
        case .wrongVersion(let version): "RTP version \(version); only version 2 exists"
        case .truncated(let part): "the packet ends inside its \(part)"
        case .badPadding(let count): "a padding count of \(count) does not fit the packet"
        }
    }
}
