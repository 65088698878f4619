/// 16-bit mono PCM in a RIFF/WAVE container: what `voicemail export --out
/// FILE.wav` writes for players and tools that do not read Opus.
public enum WAVFile {
    public static func encode(_ samples: [Int16], sampleRate: Int) -> [UInt8] {
        let dataLength = UInt32(samples.count * 2)
        var bytes = Array("RIFF".utf8) + LittleEndian.bytes(36 + dataLength) + Array("WAVE".utf8)
        bytes += Array("fmt ".utf8) + LittleEndian.bytes(UInt32(16)) + LittleEndian.bytes(UInt16(1)) + LittleEndian.bytes(UInt16(1))
        bytes += LittleEndian.bytes(UInt32(sampleRate)) + LittleEndian.bytes(UInt32(sampleRate * 2)) + LittleEndian.bytes(UInt16(2)) + LittleEndian.bytes(UInt16(16))
        bytes += Array("data".utf8) + LittleEndian.bytes(dataLength)
        bytes.reserveCapacity(bytes.count + samples.count * 2)
        for sample in samples { bytes += LittleEndian.bytes(sample) }
        return bytes
    }
}
