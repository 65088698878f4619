import Media
import Testing

@Suite("G.711 µ-law and A-law")
struct G711Tests {
    @Test("Reference code words: silence, the extremes, and the smallest steps")
    func referenceValues() {
        #expect(G711.encodeMuLaw([0]) == [0xFF])
        #expect(G711.decodeMuLaw([0xFF, 0x7F, 0x80, 0x00]) == [0, 0, 32_124, -32_124])
        #expect(G711.encodeMuLaw([Int16.max, Int16.min]) == [0x80, 0x00])
        #expect(G711.encodeALaw([0]) == [0xD5])
        #expect(G711.decodeALaw([0xD5, 0x55, 0xAA, 0x2A]) == [8, -8, 32_256, -32_256])
        #expect(G711.encodeALaw([Int16.max, Int16.min]) == [0xAA, 0x2A])
    }

    @Test("Every code word decodes to a value that encodes back to it")
    func codeWordsAreFixedPoints() {
        for word in UInt8.min...UInt8.max {
            let linear = G711.decodeALaw([word])
            #expect(G711.encodeALaw(linear) == [word])
            // µ-law has two zeros (0xFF and 0x7F); both decode to 0, which encodes as 0xFF.
            if word != 0x7F {
                #expect(G711.encodeMuLaw(G711.decodeMuLaw([word])) == [word])
            }
        }
    }

    @Test("Quantisation error stays within half a step of the segment, across the whole 16-bit range")
    func quantisationError() {
        var worstRelative = 0.0
        for value in stride(from: Int(Int16.min), through: Int(Int16.max), by: 7) {
            let sample = Int16(value)
            for decoded in [G711.decodeMuLaw(G711.encodeMuLaw([sample]))[0], G711.decodeALaw(G711.encodeALaw([sample]))[0]] {
                let error = abs(Int(decoded) - value)
                // Steps double per segment: 1/16 of the magnitude bounds half a step, plus the small-signal floor.
                #expect(error <= max(abs(value) / 16, 16) + 8, "sample \(value) decoded as \(decoded)")
                if abs(value) > 1000 { worstRelative = max(worstRelative, Double(error) / Double(abs(value))) }
            }
        }
        #expect(worstRelative < 0.07)
    }
}
