import Foundation
import HushboxTestSupport
import LineAudio
import Testing

/// The line's sound card through the real libasound2, with ALSA's file plugin in place of a card.
@Suite("ALSA devices")
struct ALSADeviceTests {
    @Test("capture reads the line's audio in 20 ms frames at 8 kHz, as it was")
    func capture() throws {
        let directory = try TemporaryDirectory()
        let audio = LineSignals.tone([1000], cycle: [], seconds: 1)
        let line = try FileLine(caller: audio, in: directory)
        let capture = try LineCapture(device: line.captureDevice, configurationFile: line.configurationFile)
        #expect(capture.format.sampleRate == 8000)
        #expect(capture.format.channels == 1)
        #expect(capture.format.bufferFrames == 4 * capture.format.periodFrames)
        var read: [Int16] = []
        for _ in 0..<50 { read += try capture.nextFrame() }
        #expect(read == audio)
    }

    @Test("playback writes what the caller hears to the card")
    func playback() throws {
        let directory = try TemporaryDirectory()
        let line = try FileLine(caller: [], in: directory)
        let tone = LineSignals.tone([440], cycle: [], seconds: 0.4)
        do {
            let playback = try LinePlayback(device: line.playbackDevice, configurationFile: line.configurationFile)
            for start in stride(from: 0, to: tone.count, by: 160) { try playback.play(Array(tone[start..<start + 160])) }
            playback.drain()
        }
        let written = try Data(contentsOf: URL(fileURLWithPath: line.playedFile))
        #expect(written.count == tone.count * 2)
    }

    @Test("a missing device is refused with its name and what to do")
    func missing() throws {
        #expect {
            _ = try LineCapture(device: "hushbox_no_such_card")
        } throws: { error in
            guard let error = error as? LineAudioError, case .deviceMissing(let device, _) = error else { return false }
            return device == "hushbox_no_such_card" && error.description.contains("aplay -L")
        }
    }

    @Test("a missing ALSA configuration file is refused with its path")
    func missingConfiguration() {
        #expect(throws: LineAudioError.self) { _ = try LineCapture(device: "x", configurationFile: "/nonexistent/line.conf") }
    }

    @Test("speexdsp resamples a 48 kHz card to 8 kHz keeping the tone's pitch and level")
    func resampler() throws {
        let resampler = try Resampler(from: 48000, to: 8000)
        let input = (0..<48000).map { Int16(8000 * sin(Double($0) * 2 * .pi * 1000 / 48000)) }
        var output: [Int16] = []
        for start in stride(from: 0, to: input.count, by: 960) { output += resampler.process(Array(input[start..<start + 960])) }
        #expect(abs(output.count - 8000) <= 40)
        let middle = Array(output[2000..<2160])
        #expect(ToneShare(frequencies: [1000]).share(of: middle) > 0.9)
        let peak = middle.map { abs(Int($0)) }.max() ?? 0
        #expect((7200...8800).contains(peak))
    }

    @Test("GPIO: a chip that is not there is refused with its name and what to do")
    func gpioMissing() {
        #expect {
            _ = try GPIOPort(GPIOLines(chip: "hushbox-no-chip", ring: 17, ringActiveLow: true, hook: 27, hookActiveLow: false))
        } throws: { error in
            guard let error = error as? GPIOError, case .chipMissing(let chip, _) = error else { return false }
            return chip == "hushbox-no-chip" && error.description.contains("gpiodetect")
        }
    }
}
