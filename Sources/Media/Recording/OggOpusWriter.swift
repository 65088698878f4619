/// Writes Opus packets into an Ogg Opus stream (RFC 7845): the packets a
/// caller sent, as they are (pass-through: no decode-encode round, which is
/// most of a transcoding call's cost), or those ``OggOpusRecorder`` encodes.
/// Granule positions count 48 kHz samples from each packet's TOC
/// (RFC 6716 §3.1); a gap in the RTP timestamps (loss, DTX) is filled with
/// 1-byte packets that a decoder conceals, so the stored message keeps the
/// call's timing. Pages are written to the sink once a second of audio has
/// gathered, so memory stays bounded. Not Sendable: one recording, one task.
public final class OggOpusWriter<Sink: RecordingSink> {
    public private(set) var sink: Sink
    private let serial: UInt32
    private var pageSequence: UInt32 = 0
    /// RFC 7845 §4: a granule position counts every sample decoded up to the
    /// end of the page, pre-skip included; playback length is the last one
    /// minus the pre-skip.
    private var granule: Int64 = 0
    private var pending: [[UInt8]] = []
    private var pendingSamples = 0
    private var lastTimestamp: UInt32?
    private var lastDuration: Int = 960
    private var finished = false
    public private(set) var packetsWritten = 0
    public private(set) var gapPacketsInserted = 0


    /// - Parameter inputSampleRate: the rate of the audio before encoding, for
    ///   players that want to decode at it (informational, RFC 7845 §5.1).
    public init(sink: Sink, serial: UInt32, inputSampleRate: Int = 48_000) throws {
        self.sink = sink
        self.serial = serial
        // The identification header (§5.1): version 1, mono, the pre-skip of libopus's
        // encoder delay (what nearly every caller's encoder has), no gain, family 0.
        var head = Array("OpusHead".utf8) + [1, 1] + LittleEndian.bytes(UInt16(OggOpusGap.preSkip))
        head += LittleEndian.bytes(UInt32(inputSampleRate)) + [0, 0, 0]
        try writePage([head], granule: 0, flags: 0x02)
        let vendor = Array("Hushbox".utf8)
        let tags = Array("OpusTags".utf8) + LittleEndian.bytes(UInt32(vendor.count)) + vendor + LittleEndian.bytes(UInt32(0))
        try writePage([tags], granule: 0, flags: 0)
    }

    /// One received Opus packet with its RTP timestamp (48 kHz clock, RFC 7587 §4.1).
    public func append(_ packet: [UInt8], rtpTimestamp: UInt32) throws {
        guard !finished, !packet.isEmpty else { return }
        guard let samples = OpusPacket.samples48k(packet) else { return }  // not an Opus packet: nothing a decoder could use
        if let lastTimestamp {
            let gap = Int(Int32(bitPattern: rtpTimestamp &- lastTimestamp)) - lastDuration
            // Fill whole 20 ms gaps up to 10 s; beyond that the stream restarted and timing is lost.
            if gap >= 960, gap <= 480_000 {
                for _ in 0..<(gap / 960) {
                    try add(OggOpusGap.packet, samples: 960)
                    gapPacketsInserted += 1
                }
            }
        }
        lastTimestamp = rtpTimestamp
        lastDuration = samples
        try add(packet, samples: samples)
        packetsWritten += 1
    }

    /// Writes what is pending on the last page, flagged end of stream.
    /// - Parameter playbackSamples: when the encoder padded the end, the
    ///   true length in 48 kHz samples; the last granule position trims the
    ///   padding off (RFC 7845 §4.4).
    public func finish(playbackSamples: Int? = nil) throws {
        guard !finished else { return }
        finished = true
        granule += Int64(pendingSamples)
        if let playbackSamples {
            granule = min(granule, Int64(OggOpusGap.preSkip + playbackSamples))
        }
        try writePage(pending, granule: granule, flags: 0x04)
        pending = []
        pendingSamples = 0
    }

    /// Seconds of playback stored so far (the pre-skip not counted).
    public var duration: Double { Double(max(0, granule + Int64(pendingSamples) - Int64(OggOpusGap.preSkip))) / 48_000 }

    /// Flushes a full page before adding, so that the last page, written by
    /// ``finish()``, always holds packets and can carry the end-of-stream flag.
    private func add(_ packet: [UInt8], samples: Int) throws {
        let segments = pending.reduce(0) { $0 + $1.count / 255 + 1 } + packet.count / 255 + 1
        if pendingSamples >= 48_000 || segments > 250 {
            granule += Int64(pendingSamples)
            try writePage(pending, granule: granule, flags: 0)
            pending = []
            pendingSamples = 0
        }
        pending.append(packet)
        pendingSamples += samples
    }

    /// One Ogg page (RFC 3533 §6) holding whole packets.
    private func writePage(_ packets: [[UInt8]], granule: Int64, flags: UInt8) throws {
        var lacing: [UInt8] = []
        for packet in packets {
            lacing += [UInt8](repeating: 255, count: packet.count / 255)
            lacing.append(UInt8(packet.count % 255))
        }
        precondition(lacing.count <= 255, "a page holds at most 255 lacing values")
        var page = Array("OggS".utf8) + [0, flags]
        page += LittleEndian.bytes(UInt64(bitPattern: granule))
        page += LittleEndian.bytes(serial) + LittleEndian.bytes(pageSequence) + [0, 0, 0, 0]
        page.append(UInt8(lacing.count))
        page += lacing
        for packet in packets { page += packet }
        let checksum = OggCRC.checksum(page)
        page.replaceSubrange(22..<26, with: LittleEndian.bytes(checksum))
        pageSequence += 1
        try sink.write(page)
    }

}

/// Integers as the little-endian bytes Ogg and RIFF headers use.
enum LittleEndian {
    static func bytes<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        withUnsafeBytes(of: value.littleEndian) { Array($0) }
    }
}

enum OggOpusGap {
    /// A SILK wideband 20 ms TOC with no frame data: "lost", concealed by the decoder (RFC 6716 §3.2.1).
    static let packet: [UInt8] = [9 << 3]
    /// 6.5 ms at 48 kHz: libopus's encoder lookahead, decoded and then discarded.
    static let preSkip = 312
}

/// Ogg's page checksum: CRC-32 with polynomial 0x04C11DB7, no reflection,
/// zero initial value and no final XOR (RFC 3533 §6).
enum OggCRC {
    static let table: [UInt32] = (0..<256).map { index in
        var value = UInt32(index) << 24
        for _ in 0..<8 { value = value & 0x8000_0000 != 0 ? (value << 1) ^ 0x04C1_1DB7 : value << 1 }
        return value
    }

    static func checksum(_ bytes: [UInt8]) -> UInt32 {
        bytes.reduce(UInt32(0)) { crc, byte in (crc << 8) ^ table[Int((crc >> 24) ^ UInt32(byte))] }
    }
}
