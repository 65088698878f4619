public import Crypto
public import Foundation

/// The STREAM construction (Hoang, Reyhanitabar, Rogaway, Vizár 2015) over
/// AES-256-GCM, for audio objects: the plaintext is cut into fixed-size chunks,
/// each sealed with nonce = 7-byte random prefix ‖ 4-byte chunk counter ‖
/// 1-byte last-chunk flag. Reordering, dropping or duplicating chunks, or
/// cutting the stream and passing a chunk off as the last, all fail to open.
///
/// Pure (public for the benchmarks): chunk bytes in, sealed bytes out. ``SealedObjectWriter`` and
/// ``SealedObjectReader`` do the file IO.
public struct ObjectStream: Sendable {
    static let magic = Array("HBXOBJ1\0".utf8)
    public static let defaultChunkSize = 64 * 1024
    static let tagLength = 16
    public static let nonceLength = 12
    static let noncePrefixLength = 7
    /// magic ‖ chunk size (4, big-endian) ‖ nonce prefix.
    static let headerLength = magic.count + 4 + noncePrefixLength
    /// The most chunks one object may have: the counter is 32 bits.
    static let maximumChunks = Int(UInt32.max)

    let key: SymmetricKey
    let header: [UInt8]
    let chunkSize: Int
    private let noncePrefix: [UInt8]
    private let associatedData: Data

    /// A new stream with a random nonce prefix, for writing.
    public init(key: SymmetricKey, tenantID: String, objectID: String, chunkSize: Int = defaultChunkSize) {
        var header = Self.magic
        withUnsafeBytes(of: UInt32(chunkSize).bigEndian) { header.append(contentsOf: $0) }
        var prefix = [UInt8](repeating: 0, count: Self.noncePrefixLength)
        var generator = SystemRandomNumberGenerator()
        for index in prefix.indices { prefix[index] = generator.next() }
        header.append(contentsOf: prefix)
        self.init(key: key, tenantID: tenantID, objectID: objectID, validHeader: header)
    }

    /// The stream a file's header describes, for reading.
    init(key: SymmetricKey, tenantID: String, objectID: String, header: [UInt8]) throws(VaultError) {
        guard header.count == Self.headerLength, Array(header.prefix(Self.magic.count)) == Self.magic else {
            throw VaultError(.objectTampered, "object \(objectID) does not start with a Hushbox sealed-object header")
        }
        let size = header[Self.magic.count..<Self.magic.count + 4].reduce(0) { $0 << 8 | Int($1) }
        guard (1...(16 << 20)).contains(size) else {
            throw VaultError(.objectTampered, "object \(objectID) declares an impossible chunk size \(size)")
        }
        self.init(key: key, tenantID: tenantID, objectID: objectID, validHeader: header)
    }

    private init(key: SymmetricKey, tenantID: String, objectID: String, validHeader header: [UInt8]) {
        self.key = key
        self.header = header
        chunkSize = header[Self.magic.count..<Self.magic.count + 4].reduce(0) { $0 << 8 | Int($1) }
        noncePrefix = Array(header.suffix(Self.noncePrefixLength))
        var encoding = CanonicalEncoding(domain: "hushbox/sealed-object/v1")
        encoding.append(tenantID)
        encoding.append(objectID)
        encoding.append(header)
        associatedData = encoding.data
    }

    /// The size of a sealed chunk holding `plaintextCount` bytes.
    var sealedChunkSize: Int { chunkSize + Self.tagLength }

    public func seal(_ plaintext: some DataProtocol, index: Int, isLast: Bool) throws(VaultError) -> Data {
        precondition(isLast ? plaintext.count <= chunkSize : plaintext.count == chunkSize, "non-final chunks are exactly chunkSize bytes")
        do {
            let box = try AES.GCM.seal(plaintext, using: key, nonce: nonce(index: index, isLast: isLast), authenticating: associatedData)
            // The nonce is derived from the position, so only ciphertext ‖ tag is
            // stored: the combined form without its first 12 bytes, not a copy.
            return box.combined?.dropFirst(12) ?? (box.ciphertext + box.tag)
        } catch {
            throw VaultError(.invalidInput, "sealing chunk \(index) failed: \(error)")
        }
    }

    /// Opens a sealed chunk, or returns nil when it does not authenticate as the
    /// chunk at `index` with this last-chunk flag.
    public func open(_ sealed: some DataProtocol, index: Int, isLast: Bool) -> Data? {
        guard sealed.count >= Self.tagLength else { return nil }
        var framed = Data(count: Self.nonceLength)
        framed.append(contentsOf: sealed)
        return open(framed: &framed, index: index, isLast: isLast)
    }

    /// Opens a sealed chunk held after ``nonceLength`` spare bytes, which this
    /// fills with the chunk's nonce: the reader reads from disk straight into
    /// such a buffer, so the chunk is never copied before decryption.
    public func open(framed: inout Data, index: Int, isLast: Bool) -> Data? {
        guard framed.count >= Self.nonceLength + Self.tagLength else { return nil }
        let start = framed.startIndex
        framed.replaceSubrange(start..<start + Self.nonceLength, with: Array(nonce(index: index, isLast: isLast)))
        guard let box = try? AES.GCM.SealedBox(combined: framed) else { return nil }
        return try? AES.GCM.open(box, using: key, authenticating: associatedData)
    }

    private func nonce(index: Int, isLast: Bool) -> AES.GCM.Nonce {
        var bytes = noncePrefix
        withUnsafeBytes(of: UInt32(truncatingIfNeeded: index).bigEndian) { bytes.append(contentsOf: $0) }
        bytes.append(isLast ? 1 : 0)
        // 12 bytes by construction, which AES.GCM.Nonce always accepts.
        guard let nonce = try? AES.GCM.Nonce(data: bytes) else {
            preconditionFailure("a 12-byte nonce was refused")
        }
        return nonce
    }
}
