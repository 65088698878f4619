import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a stream of audio bytes goes: the recorder writes into it as audio
/// arrives and finishes it when the message ends. The vault's sealed-object
/// writer is the one that matters; tests use others.
public protocol ByteSink {
    mutating func write(_ bytes: some Collection<UInt8>) throws(VaultError)
}

/// Streams bytes into a sealed object file: chunks of 64 KiB are sealed and
/// written as they fill, each followed by fsync, so that a writer killed at any
/// moment leaves a header and whole sealed chunks (plus at most one torn chunk,
/// which the reader recognises). Memory stays at one chunk however long the
/// recording.
///
/// Not Sendable: one recording owns its writer.
public final class SealedObjectWriter: ByteSink {
    public let objectID: String
    public let tenantID: String
    private let stream: ObjectStream
    private let descriptor: Int32
    private let path: String
    private var pending: [UInt8] = []
    private var chunksWritten = 0
    private var bytesWritten = 0
    private var finished = false
    private let beforeEachSync: (@Sendable () -> Void)?

    /// What a finished object holds, for its database row.
    public struct Summary: Sendable, Hashable {
        public let byteCount: Int
        public let chunkCount: Int
    }

    init(path: String, stream: ObjectStream, tenantID: String, objectID: String, beforeEachSync: (@Sendable () -> Void)? = nil) throws(VaultError) {
        self.path = path
        self.beforeEachSync = beforeEachSync
        self.stream = stream
        self.tenantID = tenantID
        self.objectID = objectID
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard descriptor >= 0 else {
            throw VaultError(.objectIO, "cannot create object file \(path): \(String(cString: strerror(errno)))")
        }
        self.descriptor = descriptor
        pending.reserveCapacity(stream.chunkSize)
        try writeAll(stream.header)
        try sync(directory: true)
    }

    deinit {
        close(descriptor)
    }

    public func write(_ bytes: some Collection<UInt8>) throws(VaultError) {
        precondition(!finished, "object \(objectID) was already finished")
        var remaining = bytes[...]
        while !remaining.isEmpty {
            let take = min(stream.chunkSize - pending.count, remaining.count)
            pending.append(contentsOf: remaining.prefix(take))
            remaining = remaining.dropFirst(take)
            if pending.count == stream.chunkSize {
                try flushChunk(isLast: false)
            }
        }
    }

    /// Seals what is pending as the final chunk (possibly empty), writes and
    /// syncs it. After this the object reads back complete.
    public func finish() throws(VaultError) -> Summary {
        precondition(!finished, "object \(objectID) was already finished")
        try flushChunk(isLast: true)
        finished = true
        return Summary(byteCount: bytesWritten, chunkCount: chunksWritten)
    }

    private func flushChunk(isLast: Bool) throws(VaultError) {
        guard chunksWritten < ObjectStream.maximumChunks else {
            throw VaultError(.invalidInput, "object \(objectID) is too large: more than 2^32 chunks")
        }
        let sealed = try stream.seal(pending, index: chunksWritten, isLast: isLast)
        try writeAll(sealed)
        try sync(directory: false)
        chunksWritten += 1
        bytesWritten += pending.count
        pending.removeAll(keepingCapacity: true)
    }

    private func writeAll(_ bytes: some ContiguousBytes) throws(VaultError) {
        let failure: Int32? = bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(descriptor, buffer.baseAddress.map { $0 + offset }, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                offset += written
            }
            return nil
        }
        if let failure {
            throw VaultError(.objectIO, "writing object file \(path) failed: \(String(cString: strerror(failure)))")
        }
    }

    private func sync(directory: Bool) throws(VaultError) {
        beforeEachSync?()
        guard fsync(descriptor) == 0 else {
            throw VaultError(.objectIO, "fsync of object file \(path) failed: \(String(cString: strerror(errno)))")
        }
        if directory {
            do {
                try PrivateFile.syncDirectory(PrivateFile.parentDirectory(of: path))
            } catch {
                throw VaultError(.objectIO, "\(error)")
            }
        }
    }
}
