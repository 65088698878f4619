public import Media
public import SIPCore
public import Vault

/// One message being captured into its sealed object as it is spoken: each
/// 20 ms frame the receive pipeline produces goes through silence detection;
/// an Opus caller's packets are stored as they came (pass-through), G.711 is
/// encoded to Opus at its own 8 kHz. Ogg pages go to the sink as they
/// complete (in a call, the call's ``RecordingStorage`` queue in front of the
/// sealed-object writer), so the message is never held whole in memory. Not
/// Sendable: one call's task owns it.
public final class MessageRecording<Sink: RecordingSink> {
    private let encoding: Encoding
    public private(set) var silence: SilenceDetector
    private var slot: UInt32 = 0
    /// Frames held back before encoding (see ``CallAudio/recordingHoldBack``).
    private let holdBackFrames: Int
    private var heldBack: [(samples: [Int16], payload: [UInt8]?)] = []

    private enum Encoding {
        case transcode(OggOpusRecorder<Sink>)
        case passThrough(OggOpusWriter<Sink>)
    }

    /// - Parameter sampleRate: the rate of the frames ``take(_:received:)`` gets (the receive pipeline's output rate).
    /// - Parameter holdBack: how much of the latest audio waits before it is encoded, so ``finish(droppingLast:)`` can still drop it.
    public init(sink: Sink, codec: AudioCodec, sampleRate: Int, holdBack: Duration = .zero) throws {
        holdBackFrames = Int(holdBack / .milliseconds(20))
        encoding = codec == .opus
            ? .passThrough(try OggOpusWriter(sink: sink, serial: 1, inputSampleRate: sampleRate))
            : .transcode(try OggOpusRecorder(sink: sink, inputSampleRate: Int32(sampleRate), serial: 1))
        silence = SilenceDetector(sampleRate: sampleRate)
    }

    /// One 20 ms frame of decoded audio, and the packet it came from when the
    /// caller sent it (nil when it was concealed).
    public func take(_ frame: [Int16], received payload: [UInt8]?) throws {
        silence.process(frame)
        guard holdBackFrames > 0 else { return try encode(frame, received: payload) }
        heldBack.append((frame, payload))
        if heldBack.count > holdBackFrames {
            let oldest = heldBack.removeFirst()
            try encode(oldest.samples, received: oldest.payload)
        }
    }

    private func encode(_ frame: [Int16], received payload: [UInt8]?) throws {
        switch encoding {
        case .transcode(let recorder):
            try recorder.write(frame)
        case .passThrough(let writer):
            // Frames come in playout order, one per 20 ms slot; a concealed slot
            // leaves a gap in these timestamps that the writer fills.
            if let payload { try writer.append(payload, rtpTimestamp: slot &* 960) }
        }
        slot &+= 1
    }

    /// Ends the Ogg stream (its last page goes to the sink; the vault then
    /// finishes or discards the object); returns the message's length.
    public func finish(droppingLast dropped: Duration = .zero) throws -> Duration {
        let dropping = min(Int(dropped / .milliseconds(20)), heldBack.count)
        for (samples, payload) in heldBack.dropLast(dropping) {
            try encode(samples, received: payload)
        }
        heldBack.removeAll()
        switch encoding {
        case .transcode(let recorder):
            try recorder.finish()
            return .milliseconds(Int64(recorder.duration * 1000))
        case .passThrough(let writer):
            try writer.finish()
            return .milliseconds(Int64(writer.duration * 1000))
        }
    }
}

/// The vault's sealed-object writer as the recorder's byte sink, written on
/// the spot (recovery and tests; a call queues through ``RecordingStorage``).
public struct SealedRecordingSink: RecordingSink {
    public let writer: SealedObjectWriter

    public init(writer: SealedObjectWriter) {
        self.writer = writer
    }

    public func write(_ bytes: [UInt8]) throws {
        try writer.write(bytes)
    }
}

/// A call's storage queue as the recorder's byte sink: a page is queued, never waited for.
struct QueuedRecordingSink: RecordingSink {
    let storage: RecordingStorage

    func write(_ bytes: [UInt8]) {
        storage.write(bytes)
    }
}
