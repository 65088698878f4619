import CSndFile

/// The files a greeting may be: their first bytes, and libsndfile's format
/// codes for the containers and encodings customers' recorders produce.
/// Everything else (ADPCM, GSM and the other rarely used codecs with a
/// history of parser bugs) is refused before libsndfile decodes a sample.
enum AcceptedAudio {
    static func signature(of bytes: [UInt8]) -> Bool {
        func starts(_ text: String, at offset: Int = 0) -> Bool {
            let tag = Array(text.utf8)
            return bytes.count >= offset + tag.count && Array(bytes[offset..<offset + tag.count]) == tag
        }
        if starts("RIFF"), starts("WAVE", at: 8) { return true }
        if starts("FORM"), starts("AIFF", at: 8) || starts("AIFC", at: 8) { return true }
        if starts("fLaC") || starts("OggS") || starts("ID3") { return true }
        // An MPEG audio frame's sync word.
        return bytes.count >= 2 && bytes[0] == 0xFF && bytes[1] & 0xE0 == 0xE0
    }

    static let containers = Set([SF_FORMAT_WAV, SF_FORMAT_AIFF, SF_FORMAT_FLAC, SF_FORMAT_OGG, SF_FORMAT_MPEG].map { Int32($0) })
    static let encodings = Set([
        SF_FORMAT_PCM_S8, SF_FORMAT_PCM_U8, SF_FORMAT_PCM_16, SF_FORMAT_PCM_24, SF_FORMAT_PCM_32, SF_FORMAT_FLOAT, SF_FORMAT_DOUBLE,
        SF_FORMAT_ULAW, SF_FORMAT_ALAW, SF_FORMAT_VORBIS, SF_FORMAT_OPUS, SF_FORMAT_MPEG_LAYER_I, SF_FORMAT_MPEG_LAYER_II, SF_FORMAT_MPEG_LAYER_III,
    ].map { Int32($0) })

    static func format(_ code: Int32) -> Bool {
        containers.contains(code & Int32(SF_FORMAT_TYPEMASK)) && encodings.contains(code & Int32(SF_FORMAT_SUBMASK))
    }
}
