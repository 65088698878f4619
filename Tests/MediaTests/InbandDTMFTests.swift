import Foundation
import HushboxTestSupport
import Media
import Testing

@Suite("In-band DTMF detection (G.711 calls)")
struct InbandDTMFTests {
    static let frequencies: [DTMFDigit: (Double, Double)] = {
        let rows: [Double] = [697, 770, 852, 941]
        let columns: [Double] = [1_209, 1_336, 1_477, 1_633]
        let keypad: [[DTMFDigit]] = [[.one, .two, .three, .a], [.four, .five, .six, .b], [.seven, .eight, .nine, .c], [.star, .zero, .pound, .d]]
        var table: [DTMFDigit: (Double, Double)] = [:]
        for (row, keys) in keypad.enumerated() {
            for (column, key) in keys.enumerated() { table[key] = (rows[row], columns[column]) }
        }
        return table
    }()

    /// `milliseconds` of a key's two tones at 8 kHz; `rowGain` in dB models twist.
    static func tone(_ digit: DTMFDigit, milliseconds: Int, rowGain: Double = 0, offset: Int = 0) -> [Int16] {
        let (row, column) = frequencies[digit]!
        let rowAmplitude = 6_000 * pow(10, rowGain / 20)
        return (0..<(8 * milliseconds)).map { index in
            let time = Double(index + offset) / 8_000
            return Int16(rowAmplitude * sin(2 * .pi * row * time) + 6_000 * sin(2 * .pi * column * time))
        }
    }

    static func silence(milliseconds: Int) -> [Int16] { Array(repeating: 0, count: 8 * milliseconds) }

    /// Feeds audio in 20 ms frames, as a call delivers it.
    static func detect(_ audio: [Int16]) -> [DTMFDigit] {
        var detector = InbandDTMFDetector()
        return stride(from: 0, to: audio.count, by: 160).flatMap { detector.process(Array(audio[$0..<min($0 + 160, audio.count)])) }
    }

    @Test("Every key, 70 ms on and 70 ms off, through G.711 µ-law, is heard exactly once")
    func everyKey() {
        var audio: [Int16] = []
        for digit in DTMFDigit.allCases {
            audio += Self.tone(digit, milliseconds: 70) + Self.silence(milliseconds: 70)
        }
        let throughG711 = G711.decodeMuLaw(G711.encodeMuLaw(audio))
        #expect(Self.detect(throughG711) == DTMFDigit.allCases)
    }

    @Test("A held key is one digit; the same key pressed twice is two")
    func repeats() {
        let held = Self.tone(.five, milliseconds: 400)
        #expect(Self.detect(held) == [.five])
        let twice = Self.tone(.five, milliseconds: 80) + Self.silence(milliseconds: 60) + Self.tone(.five, milliseconds: 80)
        #expect(Self.detect(twice) == [.five, .five])
    }

    @Test("Not DTMF: a dial tone, a 20 ms blip, noise, too much twist")
    func rejections() {
        let dialTone = (0..<8_000).map { Int16(8_000 * sin(2 * .pi * 425 * Double($0) / 8_000)) }
        #expect(Self.detect(dialTone).isEmpty)
        #expect(Self.detect(Self.tone(.one, milliseconds: 20) + Self.silence(milliseconds: 100)).isEmpty)
        var generator = SeededGenerator(seed: 1)
        let noise = (0..<8_000).map { _ in Int16(truncatingIfNeeded: Int(generator.next() % 16_000) - 8_000) }
        #expect(Self.detect(noise).isEmpty)
        #expect(Self.detect(Self.tone(.one, milliseconds: 100, rowGain: 12)).isEmpty, "row 12 dB above column")
        #expect(Self.detect(Self.tone(.one, milliseconds: 100, rowGain: 5)) == [.one], "5 dB of twist is normal")
    }
}
