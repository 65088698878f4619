import COpus

/// Encodes decoded call audio to an Ogg Opus stream (RFC 7845) through
/// libopusenc: Opus in VOIP mode, mono, pages handed to the sink as soon as
/// they are complete (pull API, muxing delay capped at 200 ms), so memory stays
/// bounded however long the message. Not Sendable: one recording, one task.
public final class OggOpusRecorder<Sink: RecordingSink> {
    private var encoder: OpaquePointer?
    public private(set) var sink: Sink
    public let inputSampleRate: Int32
    public private(set) var samplesWritten = 0
    public private(set) var bytesWritten = 0

    /// - Parameters:
    ///   - inputSampleRate: the rate of the samples given to ``write(_:)`` (16 kHz for wideband calls, 8 kHz for G.711).
    ///   - bitRate: 24 kb/s keeps speech transparent at about 180 KB a minute.
    public init(sink: Sink, inputSampleRate: Int32 = 16_000, bitRate: Int32 = 24_000) throws(OpusError) {
        self.sink = sink
        self.inputSampleRate = inputSampleRate
        let comments = ope_comments_create()
        defer { ope_comments_destroy(comments) }
        ope_comments_add(comments, "ENCODER", "Hushbox")
        var status: Int32 = 0
        guard let encoder = ope_encoder_create_pull(comments, inputSampleRate, 1, 0, &status), status == OPE_OK else {
            throw OpusError(status == OPE_OK ? OPUS_ALLOC_FAIL : status)
        }
        self.encoder = encoder
        for result in [hushbox_ope_set_voip(encoder), hushbox_ope_set_bitrate(encoder, bitRate), hushbox_ope_set_muxing_delay(encoder, 9_600)]
        where result != OPE_OK {
            ope_encoder_destroy(encoder)
            self.encoder = nil
            throw OpusError(result)
        }
    }

    deinit {
        if let encoder { ope_encoder_destroy(encoder) }
    }

    /// Encodes samples and passes on every page that completed.
    public func write(_ samples: [Int16]) throws {
        guard let encoder, !samples.isEmpty else { return }
        let status = samples.withUnsafeBufferPointer { ope_encoder_write(encoder, $0.baseAddress, Int32(samples.count)) }
        guard status == OPE_OK else { throw OpusError(status) }
        samplesWritten += samples.count
        try drainPages(flush: false)
    }

    /// Ends the stream (the last page carries the end-of-stream flag) and releases the encoder.
    public func finish() throws {
        guard let encoder else { return }
        let status = ope_encoder_drain(encoder)
        guard status == OPE_OK else { throw OpusError(status) }
        try drainPages(flush: true)
        ope_encoder_destroy(encoder)
        self.encoder = nil
    }

    /// Seconds of audio written so far.
    public var duration: Double { Double(samplesWritten) / Double(inputSampleRate) }

    private func drainPages(flush: Bool) throws {
        guard let encoder else { return }
        var page: UnsafeMutablePointer<UInt8>?
        var length: Int32 = 0
        while ope_encoder_get_page(encoder, &page, &length, flush ? 1 : 0) != 0, let page, length > 0 {
            let bytes = Array(UnsafeBufferPointer(start: page, count: Int(length)))
            try sink.write(bytes)
            bytesWritten += bytes.count
        }
    }
}
