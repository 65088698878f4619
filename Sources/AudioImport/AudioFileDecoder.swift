import CSndFile

/// Decodes an audio file held in memory (WAV in any of its encodings, AIFF,
/// FLAC, Ogg Vorbis or Opus, MP3) to mono 16-bit samples with libsndfile.
/// Nothing is written to disk. Bounded: at most `maximumSeconds` of audio and
/// eight channels are read, whatever the file's header claims.
public enum AudioFileDecoder {
    public struct Decoded: Sendable {
        public let samples: [Int16]
        public let sampleRate: Int
    }

    public static func decode(_ bytes: [UInt8], maximumSeconds: Int) throws(AudioImportError) -> Decoded {
        // libsndfile would try some thirty formats on anything; only the common
        // ones' signatures reach it, and only their usual encodings are read.
        guard AcceptedAudio.signature(of: bytes) else {
            throw .unreadable("not a WAV, AIFF, FLAC, Ogg or MP3 file")
        }
        let source = MemorySource(bytes)
        var io = SF_VIRTUAL_IO(
            get_filelen: { user in MemorySource.from(user).length },
            seek: { offset, whence, user in MemorySource.from(user).seek(offset, whence) },
            read: { pointer, count, user in MemorySource.from(user).read(into: pointer, count) },
            write: { _, _, _ in 0 },
            tell: { user in MemorySource.from(user).position }
        )
        var info = SF_INFO()
        let unmanaged = Unmanaged.passRetained(source)
        defer { unmanaged.release() }
        guard let file = sf_open_virtual(&io, Int32(SFM_READ), &info, unmanaged.toOpaque()) else {
            throw .unreadable(String(cString: sf_strerror(nil)))
        }
        defer { sf_close(file) }
        guard AcceptedAudio.format(info.format) else {
            throw .unsupported("its encoding (0x\(String(info.format, radix: 16))) is not one the box reads: save it as 16-bit PCM WAV, FLAC, Ogg or MP3")
        }
        let channels = Int(info.channels), rate = Int(info.samplerate)
        guard (1...2).contains(channels), (8_000...48_000).contains(rate) else {
            throw .unsupported("\(channels) channels at \(rate) Hz; a greeting needs mono or stereo at 8 to 48 kHz")
        }
        let limit = maximumSeconds * rate
        var mono: [Int16] = []
        mono.reserveCapacity(min(limit, 1 << 20))
        var block = [Int16](repeating: 0, count: 4096 * channels)
        while mono.count <= limit {
            let frames = Int(block.withUnsafeMutableBufferPointer { sf_readf_short(file, $0.baseAddress, 4096) })
            guard frames > 0 else { break }
            for frame in 0..<frames {
                var sum = 0
                for channel in 0..<channels { sum += Int(block[frame * channels + channel]) }
                mono.append(Int16(sum / channels))
            }
        }
        guard mono.count <= limit else { throw .tooLong(maximumSeconds: maximumSeconds) }
        return Decoded(samples: mono, sampleRate: rate)
    }
}

/// The bytes libsndfile reads through its virtual I/O callbacks.
private final class MemorySource {
    let bytes: [UInt8]
    var position: sf_count_t = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    static func from(_ pointer: UnsafeMutableRawPointer?) -> MemorySource {
        // libsndfile hands back the pointer sf_open_virtual was given: always one of these.
        guard let pointer else { return MemorySource([]) }
        return Unmanaged<MemorySource>.fromOpaque(pointer).takeUnretainedValue()
    }

    var length: sf_count_t { sf_count_t(bytes.count) }

    func seek(_ offset: sf_count_t, _ whence: Int32) -> sf_count_t {
        let base: sf_count_t
        switch whence {
        case SEEK_CUR: base = position
        case SEEK_END: base = length
        default: base = 0
        }
        let (target, overflow) = base.addingReportingOverflow(offset)
        guard !overflow, target >= 0, target <= length else { return -1 }
        position = target
        return position
    }

    func read(into pointer: UnsafeMutableRawPointer?, _ count: sf_count_t) -> sf_count_t {
        guard let pointer, count > 0, position < length else { return 0 }
        let amount = min(count, length - position)
        bytes.withUnsafeBytes { source in
            pointer.copyMemory(from: source.baseAddress! + Int(position), byteCount: Int(amount))
        }
        position += amount
        return amount
    }
}
