import CSpanDSP
import Foundation

/// Line audio for tests, at 8 kHz, made by spandsp's own transmitters: what
/// an exchange sends (caller ID, busy and dial tones) and what a phone sends
/// (DTMF keys).
public enum LineSignals {
    public static let sampleRate = 8000

    public static func silence(seconds: Double) -> [Int16] {
        [Int16](repeating: 0, count: Int(seconds * Double(sampleRate)))
    }

    /// A caller-ID message in `standard` (spandsp's `ADSI_STANDARD_CLASS`, `_CLIP` or `_CLIP_DTMF`) carrying `number`.
    public static func callerID(_ number: String, standard: Int32) -> [Int16] {
        guard let tx = adsi_tx_init(nil, standard) else { return [] }
        defer { adsi_tx_free(tx) }
        var message = [UInt8](repeating: 0, count: 256)
        var length: Int32
        let digits = Array(number.utf8)
        if standard == Int32(ADSI_STANDARD_CLIP_DTMF) {
            message = [UInt8(ascii: "A")] + digits + [UInt8(ascii: "C")]
            length = Int32(message.count)
        } else if standard == Int32(ADSI_STANDARD_CLASS) {
            length = adsi_add_field(tx, &message, -1, UInt8(CLASS_MDMF_CALLERID), nil, 0)
            length = adsi_add_field(tx, &message, length, UInt8(MCLASS_DATETIME), Array("12061030".utf8), 8)
            length = adsi_add_field(tx, &message, length, UInt8(MCLASS_CALLER_NUMBER), digits, Int32(digits.count))
        } else {
            length = adsi_add_field(tx, &message, -1, UInt8(CLIP_MDMF_CALLERID), nil, 0)
            length = adsi_add_field(tx, &message, length, UInt8(CLIP_CALLTYPE), [1], 1)
            length = adsi_add_field(tx, &message, length, UInt8(CLIP_DATETIME), Array("12061030".utf8), 8)
            length = adsi_add_field(tx, &message, length, UInt8(CLIP_CALLER_NUMBER), digits, Int32(digits.count))
        }
        _ = adsi_tx_put_message(tx, message, length)
        var out: [Int16] = []
        var chunk = [Int16](repeating: 0, count: 160)
        while true {
            let produced = adsi_tx(tx, &chunk, 160)
            if produced <= 0 || out.count > sampleRate * 5 { break }
            out += chunk.prefix(Int(produced))
        }
        return out
    }

    /// A cadenced tone: `cycle` on/off milliseconds repeated for `seconds`, at `level` dBm0.
    public static func tone(_ frequencies: [Int], cycle: [Int], seconds: Double, level: Int32 = -13) -> [Int16] {
        let f2 = frequencies.count > 1 ? Int32(frequencies[1]) : 0
        let on1 = Int32(cycle.first ?? Int(seconds * 1000)), off1 = Int32(cycle.count > 1 ? cycle[1] : 0)
        let on2 = Int32(cycle.count > 2 ? cycle[2] : 0), off2 = Int32(cycle.count > 3 ? cycle[3] : 0)
        guard let descriptor = tone_gen_descriptor_init(nil, Int32(frequencies[0]), level, f2, f2 == 0 ? 0 : level, on1, off1, on2, off2, 1),
            let state = tone_gen_init(nil, descriptor)
        else { return [] }
        defer {
            tone_gen_free(state)
            tone_gen_descriptor_free(descriptor)
        }
        var out = [Int16](repeating: 0, count: Int(seconds * Double(sampleRate)))
        var offset = 0
        while offset < out.count {
            let produced = out.withUnsafeMutableBufferPointer { tone_gen(state, $0.baseAddress! + offset, Int32(min(160, $0.count - offset))) }
            if produced <= 0 { break }
            offset += Int(produced)
        }
        return out
    }

    /// DTMF keys as a phone sends them: 120 ms on, 120 ms off.
    public static func dtmf(_ keys: String) -> [Int16] {
        guard let tx = dtmf_tx_init(nil) else { return [] }
        defer { dtmf_tx_free(tx) }
        dtmf_tx_set_timing(tx, 120, 120)
        _ = dtmf_tx_put(tx, keys, -1)
        var out: [Int16] = []
        var chunk = [Int16](repeating: 0, count: 160)
        while true {
            let produced = dtmf_tx(tx, &chunk, 160)
            if produced <= 0 { break }
            out += chunk.prefix(Int(produced))
        }
        return out
    }

    /// `text` spoken by espeak-ng, at 8 kHz.
    public static func speech(_ text: String, in directory: TemporaryDirectory) async throws -> [Int16] {
        let spoken = directory.child("speech-\(UInt32.random(in: 0...UInt32.max)).wav")
        let eightK = spoken + ".8k.raw"
        _ = try await ChildProcess.run("/usr/bin/espeak-ng", ["-v", "en", "-s", "150", "-w", spoken, text])
        _ = try await ChildProcess.run("/usr/bin/sox", ["-R", "-D", spoken, "-r", "8000", "-c", "1", "-b", "16", "-e", "signed-integer", "-t", "raw", eightK])
        let data = try Data(contentsOf: URL(fileURLWithPath: eightK))
        return stride(from: 0, to: data.count - 1, by: 2).map { Int16(bitPattern: UInt16(data[$0]) | UInt16(data[$0 + 1]) << 8) }
    }

    /// `samples` plus white noise `snrDB` below their RMS (a seeded generator).
    public static func withNoise(_ samples: [Int16], snrDB: Double, seed: UInt64) -> [Int16] {
        var sum = 0.0
        for sample in samples { sum += Double(sample) * Double(sample) }
        let rms = (sum / Double(max(samples.count, 1))).squareRoot()
        let noise = rms / pow(10, snrDB / 20) * 3.0.squareRoot()
        var generator = SeededGenerator(seed: seed)
        return samples.map { Int16(clamping: Int(Double($0) + Double.random(in: -noise...noise, using: &generator))) }
    }
}

/// A telephone line with no sound card: ALSA's `file` plugin reads the
/// caller's side from a raw 8 kHz file and writes what the box plays to
/// another, over the `null` device. The devices are defined in a
/// configuration file of their own (`line.alsa_config`).
public struct FileLine: Sendable {
    public let configurationFile: String
    public let captureDevice = "hushbox_test_capture"
    public let playbackDevice = "hushbox_test_playback"
    public let playedFile: String

    private let definitions: String

    /// `caller`: what the line carries, padded with 2 s of silence (past its
    /// end the plugin repeats stale buffers). `plugged`: false leaves the
    /// devices undefined, as if the interface were not plugged in.
    public init(caller: [Int16], in directory: TemporaryDirectory, plugged: Bool = true) throws {
        let input = directory.child("line-in.raw")
        playedFile = directory.child("line-out.raw")
        let padded = caller + [Int16](repeating: 0, count: LineSignals.sampleRate * 2)
        try padded.withUnsafeBytes { try Data($0).write(to: URL(fileURLWithPath: input)) }
        configurationFile = directory.child("line-alsa.conf")
        definitions = """
            pcm.\(captureDevice) {
                type file
                slave.pcm "null"
                file "\(directory.child("line-capture-copy.raw"))"
                infile "\(input)"
                format "raw"
            }
            pcm.\(playbackDevice) {
                type file
                slave.pcm "null"
                file "\(playedFile)"
                format "raw"
            }

            """
        try plug(plugged)
    }

    /// Defines the devices (the interface is plugged in) or leaves them out.
    public func plug(_ plugged: Bool) throws {
        try (plugged ? definitions : "# no line interface\n").write(toFile: configurationFile, atomically: true, encoding: .utf8)
    }
}
