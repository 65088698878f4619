import Glibc

/// The technician's check of a line interface through a loop-back plug
/// (its output wired to its input): a 1 kHz tone is played while the input
/// is recorded, and what came back tells the level, the noise floor and the
/// round trip. Playback and capture run in step, a period at a time, as on
/// one card's clock.
public struct LoopbackMeasurement: Sendable, Hashable {
    /// The tone's level as it came back, dBFS (RMS).
    public var levelDB: Double
    /// The input's level before the tone, dBFS (RMS).
    public var noiseFloorDB: Double
    /// From the tone's first sample played to its first sample heard.
    public var roundTrip: Duration
    public var capture: PCMFormat
    public var playback: PCMFormat

    /// The tone is played at −12 dBFS; a level far off says the mixer or the wiring is wrong.
    public static let playedLevelDB = -12.0
    public static let toneHertz = 1000.0

    /// What is wrong with the measurement, for the technician: nil when it looks like a working interface.
    public var problem: String? {
        if levelDB < -40 { return "the tone did not come back (level \(Self.rounded(levelDB)) dBFS): check the loop-back plug and the card's capture mixer (alsamixer, capture switch on)" }
        if levelDB > -3 { return "the tone came back clipped (level \(Self.rounded(levelDB)) dBFS): lower the capture gain in alsamixer" }
        if noiseFloorDB > -50 { return "the input is noisy (noise floor \(Self.rounded(noiseFloorDB)) dBFS): check the cable's shielding and ground" }
        if roundTrip > .milliseconds(200) { return "the round trip is \(roundTrip): the card buffers too much for a call" }
        return nil
    }

    public var summary: String {
        "level \(Self.rounded(levelDB)) dBFS (played \(Self.rounded(Self.playedLevelDB))), noise floor \(Self.rounded(noiseFloorDB)) dBFS, round trip \(roundTrip.components.seconds * 1000 + roundTrip.components.attoseconds / 1_000_000_000_000_000) ms; capture \(capture), playback \(playback)"
    }

    static func rounded(_ value: Double) -> String {
        let tenths = (value * 10).rounded() / 10
        return "\(tenths)"
    }

    /// Plays 0.5 s of silence, 1 s of the tone and 0.5 s of silence, recording the while.
    public static func run(captureDevice: String, playbackDevice: String, configurationFile: String?) throws(LineAudioError) -> LoopbackMeasurement {
        let playback = try LinePlayback(device: playbackDevice, configurationFile: configurationFile)
        let capture = try LineCapture(device: captureDevice, configurationFile: configurationFile, probing: true)
        let amplitude = 32767 * pow(10, playedLevelDB / 20) * 2.0.squareRoot()
        let silentFrames = 25, toneFrames = 50
        var heard: [Int16] = []
        for index in 0..<(silentFrames * 2 + toneFrames) {
            let frame: [Int16] = (0..<LineFrame.samples).map { sample in
                guard index >= silentFrames, index < silentFrames + toneFrames else { return 0 }
                let t = Double((index - silentFrames) * LineFrame.samples + sample) / Double(LineFrame.sampleRate)
                return Int16(amplitude * sin(2 * .pi * toneHertz * t))
            }
            try playback.play(frame)
            heard += try capture.nextFrame()
        }
        return measure(heard, toneStartsAt: silentFrames * LineFrame.samples, capture: capture.format, playback: playback.format)
    }

    /// What the recording says: the first frame mostly at 1 kHz is the tone's return.
    static func measure(_ heard: [Int16], toneStartsAt played: Int, capture: PCMFormat, playback: PCMFormat) -> LoopbackMeasurement {
        let share = ToneShare(frequencies: [toneHertz])
        let frames = stride(from: 0, to: heard.count - LineFrame.samples + 1, by: LineFrame.samples).map { Array(heard[$0..<$0 + LineFrame.samples]) }
        let toneFrame = frames.firstIndex { VoiceActivation.levelDB($0) > -45 && share.share(of: $0) > 0.6 }
        // The noise floor: the quietest 0.3 s before the tone's return (or of the whole recording).
        let before = Array(frames.prefix(toneFrame ?? frames.count).prefix(15))
        let noise = before.isEmpty ? -100 : before.map(VoiceActivation.levelDB).reduce(0, +) / Double(before.count)
        guard let toneFrame else {
            return LoopbackMeasurement(levelDB: -100, noiseFloorDB: noise, roundTrip: .zero, capture: capture, playback: playback)
        }
        // The tone's level over its middle, and its onset to the sample within the first frame.
        let middle = frames.dropFirst(toneFrame + 5).prefix(30)
        let level = middle.isEmpty ? -100 : middle.map(VoiceActivation.levelDB).reduce(0, +) / Double(middle.count)
        let start = toneFrame * LineFrame.samples
        let onset = (start..<(start + LineFrame.samples)).first { abs(Int(heard[$0])) > 300 } ?? start
        let delay = max(onset - played, 0)
        return LoopbackMeasurement(
            levelDB: level, noiseFloorDB: noise, roundTrip: .microseconds(Int64(delay) * 1_000_000 / Int64(LineFrame.sampleRate)), capture: capture, playback: playback
        )
    }
}
