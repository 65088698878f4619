import CALSA
import Glibc

/// One direction of a line's sound card through libasound2: 16-bit PCM,
/// negotiated as the line needs (8 kHz, else 16 kHz, else the card's rate
/// nearest 48 kHz; ALSA's own resampling off, so speexdsp converts; mono,
/// else the fewest channels), periods of about 20 ms in a buffer of four.
/// Xruns are recovered (`snd_pcm_recover`; a capture stream is started
/// again) and counted. Not Sendable: the one thread that reads or writes
/// the card owns it.
public final class PCMStream {
    public enum Direction: Sendable {
        case capture
        case playback
    }

    public let device: String
    public let direction: Direction
    public let format: PCMFormat
    /// Overruns (capture) or underruns (playback) recovered so far.
    public private(set) var xruns = 0
    /// Frames a non-blocking write dropped because the card's buffer was full.
    public private(set) var dropped = 0
    private let nonBlocking: Bool
    private let pcm: OpaquePointer
    /// Kept for as long as the stream: the device's definition lives in it.
    private let configuration: ALSAConfiguration

    /// The rates asked for, in order, before the card's nearest to 48 kHz.
    static let preferredRates = [8000, 16000]

    /// Opens and configures the device, or says why it cannot be used.
    /// - Parameters:
    ///   - configurationFile: an ALSA configuration file that defines the line's devices, added to the system's.
    ///   - probing: opens without waiting for a busy device (the selftest and the open's retries).
    ///   - nonBlocking: a write that finds the card's buffer full drops the rest rather than wait
    ///     (playback from an event loop, which must never block).
    public init(device: String, direction: Direction, configurationFile: String? = nil, probing: Bool = false, nonBlocking: Bool = false) throws(LineAudioError) {
        self.device = device
        self.direction = direction
        configuration = try ALSAConfiguration(extraFile: configurationFile)
        var handle: OpaquePointer?
        let stream = direction == .capture ? SND_PCM_STREAM_CAPTURE : SND_PCM_STREAM_PLAYBACK
        let mode: Int32 = probing || nonBlocking ? SND_PCM_NONBLOCK : 0
        let status = if let tree = configuration.tree {
            snd_pcm_open_lconf(&handle, device, stream, mode, tree)
        } else {
            snd_pcm_open(&handle, device, stream, mode)
        }
        guard status >= 0, let handle else {
            switch -status {
            case EBUSY, EAGAIN: throw .deviceBusy(device: device)
            default: throw .deviceMissing(device: device, reason: ALSAConfiguration.message(status))
            }
        }
        if probing, !nonBlocking { snd_pcm_nonblock(handle, 0) }
        self.nonBlocking = nonBlocking
        do {
            format = try Self.negotiate(handle, device: device)
        } catch {
            snd_pcm_close(handle)
            throw error
        }
        pcm = handle
        if direction == .capture { snd_pcm_start(pcm) }
    }

    deinit {
        snd_pcm_close(pcm)
    }

    private static func negotiate(_ pcm: OpaquePointer, device: String) throws(LineAudioError) -> PCMFormat {
        var params: OpaquePointer?
        guard snd_pcm_hw_params_malloc(&params) >= 0, let params else { throw .unsupported(device: device, reason: "out of memory") }
        defer { snd_pcm_hw_params_free(params) }
        func check(_ status: Int32, _ what: String) throws(LineAudioError) {
            if status < 0 { throw .unsupported(device: device, reason: "\(what): \(ALSAConfiguration.message(status))") }
        }
        try check(snd_pcm_hw_params_any(pcm, params), "no configuration")
        try check(snd_pcm_hw_params_set_access(pcm, params, SND_PCM_ACCESS_RW_INTERLEAVED), "no interleaved access")
        try check(snd_pcm_hw_params_set_format(pcm, params, SND_PCM_FORMAT_S16_LE), "no 16-bit little-endian PCM")
        // The card's own rate: speexdsp resamples better than ALSA's plug does.
        try check(snd_pcm_hw_params_set_rate_resample(pcm, params, 0), "cannot turn ALSA's resampling off")
        var channels: UInt32 = 1
        if snd_pcm_hw_params_test_channels(pcm, params, 1) != 0 {
            try check(snd_pcm_hw_params_get_channels_min(params, &channels), "no channel count")
        }
        try check(snd_pcm_hw_params_set_channels(pcm, params, channels), "\(channels) channels")
        var rate: UInt32 = 0
        for candidate in preferredRates where snd_pcm_hw_params_test_rate(pcm, params, UInt32(candidate), 0) == 0 {
            rate = UInt32(candidate)
            break
        }
        if rate == 0 {
            rate = 48000
            var direction: Int32 = 0
            try check(snd_pcm_hw_params_set_rate_near(pcm, params, &rate, &direction), "no usable rate")
        } else {
            try check(snd_pcm_hw_params_set_rate(pcm, params, rate, 0), "\(rate) Hz")
        }
        var period = snd_pcm_uframes_t(rate / 50)
        var direction: Int32 = 0
        try check(snd_pcm_hw_params_set_period_size_near(pcm, params, &period, &direction), "no 20 ms period")
        var buffer = period * 4
        try check(snd_pcm_hw_params_set_buffer_size_near(pcm, params, &buffer), "no buffer of four periods")
        try check(snd_pcm_hw_params(pcm, params), "the parameters were refused")
        try check(snd_pcm_prepare(pcm), "cannot prepare")
        return PCMFormat(sampleRate: Int(rate), channels: Int(channels), periodFrames: Int(period), bufferFrames: Int(buffer))
    }

    /// Reads up to `frames` frames into `buffer` (interleaved), waiting at
    /// most `stallLimit` for the card: a card that feeds nothing for that
    /// long (a stalled USB interface) counts as lost. Returns the frames read.
    public func read(into buffer: inout [Int16], frames: Int, stallLimit: Duration = .seconds(2)) throws(LineAudioError) -> Int {
        precondition(buffer.count >= frames * format.channels)
        let milliseconds = Int32(stallLimit.components.seconds * 1000 + stallLimit.components.attoseconds / 1_000_000_000_000_000)
        while true {
            let ready = snd_pcm_wait(pcm, milliseconds)
            if ready == 0 { throw .deviceLost(device: device, reason: "no audio for \(stallLimit)") }
            if ready < 0 {
                try recover(Int32(ready))
                continue
            }
            let count = buffer.withUnsafeMutableBytes { snd_pcm_readi(pcm, $0.baseAddress, snd_pcm_uframes_t(frames)) }
            if count >= 0 { return Int(count) }
            if count == -Int(EAGAIN) { continue }
            try recover(Int32(count))
        }
    }

    /// Writes `frames` interleaved frames, waiting for room in the card's buffer.
    public func write(_ samples: [Int16], frames: Int) throws(LineAudioError) {
        var offset = 0
        while offset < frames {
            let count = samples.withUnsafeBytes {
                snd_pcm_writei(pcm, $0.baseAddress! + offset * format.channels * 2, snd_pcm_uframes_t(frames - offset))
            }
            if count >= 0 {
                offset += Int(count)
            } else if count == -Int(EAGAIN) {
                if nonBlocking {
                    dropped += frames - offset
                    return
                }
                _ = snd_pcm_wait(pcm, 100)
            } else {
                try recover(Int32(count))
            }
        }
    }

    /// Lets what was written play out (a call's last prompt), then stops.
    public func drain() {
        if direction == .playback { snd_pcm_drain(pcm) }
    }

    /// Recovers an xrun or a suspend; anything else means the device is gone.
    private func recover(_ status: Int32) throws(LineAudioError) {
        guard status == -EPIPE || status == -ESTRPIPE || status == -EINTR else {
            throw .deviceLost(device: device, reason: ALSAConfiguration.message(status))
        }
        if status != -EINTR { xruns += 1 }
        let recovered = snd_pcm_recover(pcm, status, 1)
        guard recovered >= 0 else { throw .deviceLost(device: device, reason: ALSAConfiguration.message(recovered)) }
        // A capture stream stays stopped after recovery until started again.
        if direction == .capture { snd_pcm_start(pcm) }
    }
}
