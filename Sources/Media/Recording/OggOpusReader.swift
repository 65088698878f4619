/// Reads an Ogg Opus stream (RFC 7845) back into its Opus packets: prompts
/// rendered with opusenc or replaced by a technician, and stored voicemails
/// for export. Pure: bytes in, packets out.
///
/// A stream cut off mid-page (a recording recovered after a power cut) yields
/// the packets of its whole pages and says it was cut; a page whose checksum
/// fails is an error, because it means the bytes were altered, not cut.
public struct OggOpusStream: Sendable, Hashable {
    public let channelCount: Int
    /// 48 kHz samples the decoder discards at the start (RFC 7845 §4.2).
    public let preSkip: Int
    /// The rate the audio had before encoding (informational).
    public let inputSampleRate: Int
    /// The audio packets, in order (headers excluded).
    public let packets: [[UInt8]]
    /// The last page's granule position minus the pre-skip: playback length in 48 kHz samples, when known.
    public let playbackSamples: Int?
    /// Whether the stream ended without its end-of-stream page.
    public let isCut: Bool

    public var duration: Duration { .milliseconds((playbackSamples ?? 0) / 48) }
}

public struct OggOpusReadError: Error, Hashable, Sendable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

public enum OggOpusReader {
    public static func read(_ bytes: [UInt8]) throws(OggOpusReadError) -> OggOpusStream {
        var offset = 0
        var packets: [[UInt8]] = []
        var partial: [UInt8] = []
        var lastGranule: Int64?
        var sawEnd = false
        while offset < bytes.count {
            guard let page = try page(in: bytes, at: offset) else { break }
            offset = page.end
            for (index, length) in page.lacing.enumerated() {
                partial += bytes[page.bodyStart + page.segmentStarts[index]..<page.bodyStart + page.segmentStarts[index] + Int(length)]
                if length < 255 {
                    packets.append(partial)
                    partial = []
                }
            }
            if page.granule >= 0 { lastGranule = page.granule }
            if page.flags & 0x04 != 0 {
                sawEnd = true
                break
            }
        }
        guard packets.count >= 2, packets[0].starts(with: Array("OpusHead".utf8)), packets[0].count >= 19 else {
            throw OggOpusReadError("not an Ogg Opus stream: its first packet is not an OpusHead header")
        }
        guard packets[1].starts(with: Array("OpusTags".utf8)) else {
            throw OggOpusReadError("not an Ogg Opus stream: its second packet is not an OpusTags header")
        }
        let head = packets[0]
        let channels = Int(head[9])
        guard head[18] == 0, channels == 1 || channels == 2 else {
            throw OggOpusReadError("an Ogg Opus stream with \(channels) channels in mapping family \(head[18]): only mono or stereo family 0 is supported")
        }
        let preSkip = Int(head[10]) | Int(head[11]) << 8
        let rate = (12..<16).reduce(0) { $0 | Int(head[$1]) << (8 * ($1 - 12)) }
        return OggOpusStream(
            channelCount: channels, preSkip: preSkip, inputSampleRate: rate, packets: Array(packets.dropFirst(2)),
            playbackSamples: lastGranule.map { max(0, Int($0) - preSkip) }, isCut: !sawEnd
        )
    }

    private struct Page {
        let flags: UInt8
        let granule: Int64
        let lacing: [UInt8]
        let segmentStarts: [Int]
        let bodyStart: Int
        let end: Int
    }

    /// The page at `offset`, or nil when the bytes end inside it (a cut stream).
    private static func page(in bytes: [UInt8], at offset: Int) throws(OggOpusReadError) -> Page? {
        guard bytes.count - offset >= 27 else { return nil }
        guard bytes[offset..<offset + 4].elementsEqual("OggS".utf8), bytes[offset + 4] == 0 else {
            throw OggOpusReadError("no Ogg page at byte \(offset): the file is not Ogg, or it was altered")
        }
        let segmentCount = Int(bytes[offset + 26])
        guard bytes.count - offset >= 27 + segmentCount else { return nil }
        let lacing = Array(bytes[offset + 27..<offset + 27 + segmentCount])
        var starts: [Int] = []
        var bodyLength = 0
        for length in lacing {
            starts.append(bodyLength)
            bodyLength += Int(length)
        }
        let bodyStart = offset + 27 + segmentCount
        guard bytes.count - bodyStart >= bodyLength else { return nil }
        var page = Array(bytes[offset..<bodyStart + bodyLength])
        let stored = page[22..<26].enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (8 * $1.offset) }
        page.replaceSubrange(22..<26, with: [0, 0, 0, 0])
        guard OggCRC.checksum(page) == stored else {
            throw OggOpusReadError("the Ogg page at byte \(offset) fails its checksum: the file was altered")
        }
        let granule = (6..<14).reduce(UInt64(0)) { $0 | UInt64(bytes[offset + $1]) << (8 * ($1 - 6)) }
        return Page(
            flags: bytes[offset + 5], granule: Int64(bitPattern: granule), lacing: lacing, segmentStarts: starts,
            bodyStart: bodyStart, end: bodyStart + bodyLength
        )
    }
}
