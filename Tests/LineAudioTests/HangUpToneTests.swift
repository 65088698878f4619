import HushboxTestSupport
import LineAudio
import Testing

/// The exchange's tones after a caller hangs up, recognised per country and dated.
@Suite("Hang-up tones")
struct HangUpToneTests {
    /// Feeds `audio` in 20 ms frames; the first tone heard, and at which frame.
    static func first(_ audio: [Int16], country: ToneCountry) -> (heard: HangUpToneDetector.Heard, frame: Int)? {
        let detector = HangUpToneDetector(country: country)
        for (index, start) in stride(from: 0, to: audio.count - 159, by: 160).enumerated() {
            if let heard = detector.process(Array(audio[start..<start + 160])) { return (heard, index) }
        }
        return nil
    }

    @Test("every country's busy, congestion and dial tone is recognised after two cycles (a continuous one after 2 s) and dated to its start", arguments: ToneCountry.allCases)
    func everyTone(country: ToneCountry) throws {
        for tone in country.tones {
            let onset = 50
            let audio = LineSignals.silence(seconds: 1) + LineSignals.tone(tone.frequencies.map { Int($0) }, cycle: tone.cadence, seconds: 6)
            let (heard, frame) = try #require(Self.first(audio, country: country), "\(country) \(tone.kind) not recognised")
            // A congestion tone that begins like the busy one (ES) may be taken for it: both end the call.
            #expect(heard.kind == tone.kind || (tone.kind == .congestion && heard.kind == .busy), "\(country) \(tone.kind) heard as \(heard.kind)")
            let twoCycles = tone.cadence.isEmpty ? 100 : 2 * tone.cadence.reduce(0, +) / 20
            #expect(frame - onset <= twoCycles + 5, "\(country) \(tone.kind) recognised \(frame - onset) frames after it began")
            let dated = frame + 1 - Int(heard.heardFor / .milliseconds(20))
            #expect(abs(dated - onset) <= 3, "\(country) \(tone.kind) dated to frame \(dated), began at \(onset)")
        }
    }

    @Test("busy tone 20 dB above noise is recognised; speech is not taken for a tone")
    func noiseAndSpeech() async throws {
        let directory = try TemporaryDirectory()
        let speech = try await LineSignals.speech("Hello, please call me back about the delivery tomorrow morning at nine. Thank you very much.", in: directory)
        #expect(Self.first(LineSignals.withNoise(speech, snrDB: 20, seed: 1), country: .de) == nil)
        #expect(Self.first(LineSignals.withNoise(speech, snrDB: 20, seed: 1), country: .us) == nil)
        let busy = LineSignals.silence(seconds: 1) + LineSignals.tone([425], cycle: [480, 480], seconds: 5)
        let heard = try #require(Self.first(LineSignals.withNoise(busy, snrDB: 20, seed: 2), country: .de))
        #expect(heard.heard.kind == .busy)
    }
}
