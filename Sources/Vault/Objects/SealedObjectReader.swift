import Crypto
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a sealed object back, chunk by chunk, returning only bytes that
/// authenticated. How the stream ends decides the outcome:
/// - a final chunk that authenticates as last ends the object: complete;
/// - the file ending after whole chunks, or in a torn chunk, means the writer
///   was cut off: ``VaultError/Code/objectTruncated`` after the whole chunks,
///   which ``readAll()`` still returns as a prefix;
/// - any whole chunk that fails to authenticate, or bytes after the final
///   chunk: ``VaultError/Code/objectTampered``, naming the chunk.
///
/// An object its database row records as complete must end in its final chunk
/// with the recorded size: anything short of that is tampering, not truncation.
public final class SealedObjectReader {
    public let objectID: String
    private let stream: ObjectStream
    private let descriptor: Int32
    private let fileSize: Int
    private let expected: SealedObjectWriter.Summary?
    private var index = 0
    private var offset: Int
    private var bytesRead = 0
    private var done = false

    /// The object's bytes and whether the stream was whole.
    public struct Contents: Sendable, Hashable {
        public enum Completeness: Sendable, Hashable {
            case complete
            /// The writer stopped after this many whole chunks.
            case truncated(wholeChunks: Int)
        }

        public let bytes: [UInt8]
        public let completeness: Completeness
    }

    init(path: String, key: SymmetricKey, tenantID: String, objectID: String, expected: SealedObjectWriter.Summary?) throws(VaultError) {
        self.objectID = objectID
        self.expected = expected
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard descriptor >= 0 else {
            throw VaultError(errno == ENOENT ? .notFound : .objectIO, "cannot open object \(objectID): \(String(cString: strerror(errno)))")
        }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            close(descriptor)
            throw VaultError(.objectIO, "cannot stat object \(objectID): \(String(cString: strerror(errno)))")
        }
        fileSize = Int(info.st_size)
        self.descriptor = descriptor
        offset = ObjectStream.headerLength
        if fileSize < ObjectStream.headerLength {
            // The writer died before its header reached the disk.
            close(descriptor)
            guard expected == nil else {
                throw VaultError(.objectTampered, "object \(objectID) is recorded complete but its file is cut short")
            }
            throw VaultError(.objectTruncated, "object \(objectID) was cut off before any audio was stored (0 whole chunks)")
        }
        var header = [UInt8](repeating: 0, count: ObjectStream.headerLength)
        _ = header.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
        do {
            stream = try ObjectStream(key: key, tenantID: tenantID, objectID: objectID, header: header)
        } catch {
            close(descriptor)
            throw error
        }
    }

    deinit {
        close(descriptor)
    }

    /// The next chunk's verified plaintext, or nil once the final chunk was read.
    public func next() throws(VaultError) -> [UInt8]? {
        guard !done else { return nil }
        let remaining = fileSize - offset
        let fullChunk = stream.sealedChunkSize
        if remaining == 0 {
            return try cut("the file ends after \(index) whole chunks without a final chunk")
        }
        let length = min(remaining, fullChunk)
        var framed = try readFramed(count: length, at: offset)
        if length == fullChunk, remaining > fullChunk {
            // More follows, so this must be a non-final chunk.
            guard let plaintext = stream.open(framed: &framed, index: index, isLast: false) else {
                throw VaultError(.objectTampered, "object \(objectID): chunk \(index) failed authentication (altered, reordered or from another object)")
            }
            return advance(plaintext, length: length)
        }
        // The file ends within this chunk: it must be the final one.
        if let plaintext = stream.open(framed: &framed, index: index, isLast: true) {
            done = true
            let result = advance(plaintext, length: length)
            if let expected, expected.byteCount != bytesRead || expected.chunkCount != index {
                throw VaultError(.objectTampered, "object \(objectID) holds \(bytesRead) bytes in \(index) chunks; its record says \(expected.byteCount) in \(expected.chunkCount)")
            }
            return result
        }
        if length == fullChunk, let plaintext = stream.open(framed: &framed, index: index, isLast: false) {
            // A whole non-final chunk and then nothing: it is returned, and the
            // next call reports that the final chunk never came.
            return advance(plaintext, length: length)
        }
        if length == fullChunk {
            throw VaultError(.objectTampered, "object \(objectID): chunk \(index) failed authentication (altered, reordered or from another object)")
        }
        return try cut("chunk \(index) is torn (\(length) of up to \(fullChunk) bytes)")
    }

    /// Every verified byte. A truncated object returns its whole-chunk prefix
    /// with `.truncated`; tampering throws.
    public func readAll() throws(VaultError) -> Contents {
        var bytes: [UInt8] = []
        do {
            while let chunk = try next() {
                bytes.append(contentsOf: chunk)
            }
            return Contents(bytes: bytes, completeness: .complete)
        } catch where error.code == .objectTruncated {
            return Contents(bytes: bytes, completeness: .truncated(wholeChunks: index))
        }
    }

    private func advance(_ plaintext: Data, length: Int) -> [UInt8] {
        offset += length
        index += 1
        bytesRead += plaintext.count
        return Array(plaintext)
    }

    private func cut(_ detail: String) throws(VaultError) -> [UInt8]? {
        done = true
        if expected != nil {
            throw VaultError(.objectTampered, "object \(objectID) is recorded complete, but \(detail)")
        }
        throw VaultError(.objectTruncated, "object \(objectID) was cut off: \(detail); \(index) whole chunks (\(bytesRead) bytes) are intact")
    }

    /// Reads `count` bytes at `position` into a buffer after room for a nonce
    /// (see ``ObjectStream/open(framed:index:isLast:)``); shorter at end of file.
    private func readFramed(count: Int, at position: Int) throws(VaultError) -> Data {
        let spare = ObjectStream.nonceLength
        var buffer = Data(count: spare + count)
        let (filled, failure) = buffer.withUnsafeMutableBytes { raw -> (Int, Int32?) in
            var filled = 0
            while filled < count {
                let result = pread(descriptor, raw.baseAddress.map { $0 + spare + filled }, count - filled, off_t(position + filled))
                if result < 0 {
                    if errno == EINTR { continue }
                    return (filled, errno)
                }
                if result == 0 { break }
                filled += result
            }
            return (filled, nil)
        }
        if let failure {
            throw VaultError(.objectIO, "reading object \(objectID) failed: \(String(cString: strerror(failure)))")
        }
        if filled < count { buffer.removeLast(count - filled) }
        return buffer
    }
}
