/// G.711 µ-law and A-law (ITU-T G.711), table-based: decoding is one lookup
/// per sample; encoding is one lookup in a 16,384-entry table indexed by the
/// sample's top 14 bits (µ-law uses 14 bits of magnitude and sign, A-law 13).
public enum G711 {
    public static func encodeMuLaw(_ samples: some Collection<Int16>) -> [UInt8] {
        samples.map { muLawEncodeTable[Int(UInt16(bitPattern: $0) >> 2)] }
    }

    public static func decodeMuLaw(_ bytes: some Collection<UInt8>) -> [Int16] {
        bytes.map { muLawDecodeTable[Int($0)] }
    }

    public static func encodeALaw(_ samples: some Collection<Int16>) -> [UInt8] {
        samples.map { aLawEncodeTable[Int(UInt16(bitPattern: $0) >> 2)] }
    }

    public static func decodeALaw(_ bytes: some Collection<UInt8>) -> [Int16] {
        bytes.map { aLawDecodeTable[Int($0)] }
    }

    // MARK: The tables, built once from the G.711 segment definitions.

    static let muLawDecodeTable: [Int16] = (0...255).map { muLawDecode(UInt8($0)) }
    static let aLawDecodeTable: [Int16] = (0...255).map { aLawDecode(UInt8($0)) }
    /// Indexed by the sample's top 14 bits as an unsigned pattern.
    static let muLawEncodeTable: [UInt8] = (0..<16_384).map { muLawEncode(Int16(bitPattern: UInt16($0) << 2)) }
    static let aLawEncodeTable: [UInt8] = (0..<16_384).map { aLawEncode(Int16(bitPattern: UInt16($0) << 2)) }

    /// µ-law: bias 132 (33 in 14-bit units), eight segments, inverted bits.
    static func muLawEncode(_ sample: Int16) -> UInt8 {
        let bias = 0x84
        let clip = 32_635
        var magnitude = Int(sample)
        let sign: UInt8 = magnitude < 0 ? 0x80 : 0
        if magnitude < 0 { magnitude = -magnitude }
        magnitude = min(magnitude, clip) + bias
        var exponent = 7
        var mask = 0x4000
        while exponent > 0, magnitude & mask == 0 {
            exponent -= 1
            mask >>= 1
        }
        let mantissa = (magnitude >> (exponent + 3)) & 0x0F
        return ~(sign | UInt8(exponent << 4) | UInt8(mantissa))
    }

    static func muLawDecode(_ byte: UInt8) -> Int16 {
        let value = ~byte
        let exponent = Int((value >> 4) & 0x07)
        let mantissa = Int(value & 0x0F)
        let magnitude = ((mantissa << 3) + 0x84) << exponent - 0x84
        return Int16(value & 0x80 != 0 ? -magnitude : magnitude)
    }

    /// A-law: eight segments, even bits inverted (XOR 0x55).
    static func aLawEncode(_ sample: Int16) -> UInt8 {
        var magnitude = Int(sample) >> 3
        let sign: UInt8 = magnitude >= 0 ? 0x80 : 0
        if magnitude < 0 { magnitude = -magnitude - 1 }
        magnitude = min(magnitude, 0x0FFF)
        let byte: UInt8
        if magnitude < 32 {
            byte = UInt8(magnitude >> 1)
        } else {
            var exponent = 1
            while magnitude >> (exponent + 4) > 1 { exponent += 1 }
            byte = UInt8(exponent << 4) | UInt8((magnitude >> exponent) & 0x0F)
        }
        return (byte | sign) ^ 0x55
    }

    static func aLawDecode(_ byte: UInt8) -> Int16 {
        let value = byte ^ 0x55
        let exponent = Int((value >> 4) & 0x07)
        let mantissa = Int(value & 0x0F)
        let magnitude = exponent == 0 ? (mantissa << 4) + 8 : ((mantissa << 4) + 0x108) << (exponent - 1)
        return Int16(value & 0x80 != 0 ? magnitude : -magnitude)
    }
}
