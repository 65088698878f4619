/// 16-bit mono PCM in a RIFF/WAVE container: what `voicemail export --out
/// FILE.wav` writes for players and tools that do not read Opus.
public enum WAVFile {
    public static func encode(_ samples: [Int16], sampleRate: Int) -> [UInt8] {
        let dataLength = UInt32(samples.count * 2)
        var bytes = Array("RIFF".utf8) + littleEndian(36 + dataLength) + Array("WAVE".utf8)
        bytes += Array("fmt ".utf8) + littleEndian(UInt32(16)) + littleEndian(UInt16(1)) + littleEndian(UInt16(1))
        bytes += littleEndian(UInt32(sampleRate)) + littleEndian(UInt32(sampleRate * 2)) + littleEndian(UInt16(2)) + littleEndian(UInt16(16))
        bytes += Array("data".utf8) + littleEndian(dataLength)
        bytes.reserveCapacity(bytes.count + samples.count * 2)
        for sample in samples { bytes += littleEndian(sample) }
        return bytes
    }

    private static func littleEndian<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        withUnsafeBytes(of: value.littleEndian) { Array($0) }
    }
}
