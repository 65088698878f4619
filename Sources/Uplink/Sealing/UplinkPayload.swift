public import Foundation

/// What one uplink object carries before sealing: a 4-byte big-endian length,
/// that many bytes of metadata JSON, then the audio as stored on the box.
public enum UplinkPayload {
    public static func compose(metadata: Data, audio: some DataProtocol) -> Data {
        let length = UInt32(metadata.count)
        var payload = Data([UInt8(length >> 24), UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF)])
        payload.append(metadata)
        payload.append(contentsOf: audio)
        return payload
    }

    /// The metadata and the audio; nil when `payload` is not in this form.
    public static func split(_ payload: Data) -> (metadata: Data, audio: Data)? {
        let bytes = [UInt8](payload)
        guard bytes.count >= 4 else { return nil }
        let length = Int(bytes[0]) << 24 | Int(bytes[1]) << 16 | Int(bytes[2]) << 8 | Int(bytes[3])
        guard bytes.count >= 4 + length else { return nil }
        return (Data(bytes[4..<4 + length]), Data(bytes[(4 + length)...]))
    }

    /// HPKE's `info` for an object: binds the sealed bytes to what they claim to be.
    public static func sealingInfo(kind: String, objectID: String) -> Data {
        Data("hushbox/v1 \(kind) \(objectID)".utf8)
    }
}
