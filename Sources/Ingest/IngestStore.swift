public import Crypto
import Foundation
public import Uplink
import PrivateFiles

#if canImport(Glibc)
import Glibc
#endif

/// The reference receiver's storage (docs/uplink-protocol.md): uploads by
/// idempotency key, bytes appended only at the committed offset and fsynced
/// before the offset is reported, and on completion the SHA-256 checked, the
/// payload opened with the customer's private key when it is sealed, and the
/// object stored as `objects/<object_id>/`. An actor: one writer per store.
///
/// Durable before it answers: every file is fsynced and so is the directory
/// a name is added to, removed from or renamed in, so a 201 survives a power
/// cut. Completion streams the bytes through SHA-256 and renames the upload
/// into place; only a sealed payload is read whole to be opened, and those are
/// at most ``largestSealedLength``.
///
/// Each box (by its certificate's fingerprint) may hold at most `boxQuota`
/// bytes of uploads and objects, and nothing is taken that would leave less
/// than `diskReserve` free: both are refused with ``IngestError/insufficientStorage(_:)`` (507).
///
/// Layout under `directory`: `keys/<sha256 of the key>` → upload id;
/// `uploads/<id>.json` (the announcement), `uploads/<id>.owner` (the box) and
/// `uploads/<id>.part` (the bytes); `objects/<object_id>/payload` (as received),
/// and for sealed payloads `metadata.json` and `audio.opus` (opened).
public actor IngestStore {
    public enum AppendResult: Sendable, Hashable {
        case stored(offset: Int)
        /// The last bytes arrived, matched the SHA-256, and the object is stored.
        case complete
        /// The offset was not the committed one; resume at this one.
        case conflict(committed: Int)
        /// The whole did not match its SHA-256 (or would not open): start again.
        case rejected(String)
    }

    /// The owner of uploads from a box without a certificate (a receiver behind a TLS-terminating proxy).
    public static let unidentifiedBox = "unidentified"
    /// A sealed payload is opened in memory: this bounds what that costs.
    public static let largestSealedLength = 32 * 1024 * 1024
    public static let defaultBoxQuota = 4 * 1024 * 1024 * 1024
    public static let defaultDiskReserve = 256 * 1024 * 1024

    let directory: String
    let recipientKey: Curve25519.KeyAgreement.PrivateKey?
    let boxQuota: Int
    let diskReserve: Int
    /// Announced bytes per box, of every upload record (finished or not) it owns.
    private var usage: [String: Int] = [:]

    public init(
        directory: String, recipientKey: Curve25519.KeyAgreement.PrivateKey?, boxQuota: Int = IngestStore.defaultBoxQuota,
        diskReserve: Int = IngestStore.defaultDiskReserve
    ) throws {
        self.directory = directory
        self.recipientKey = recipientKey
        self.boxQuota = boxQuota
        self.diskReserve = diskReserve
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        for sub in ["keys", "uploads", "objects", "erased"] {
            try FileManager.default.createDirectory(atPath: directory + "/" + sub, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        // Temporaries a crash left mid-write (this store is their only writer, and it is not running yet);
        // an object's own are removed when its upload is finished again.
        for sub in ["", "/keys", "/uploads", "/erased"] {
            PrivateFile.removeTemporaries(in: directory + sub)
        }
        Self.syncDirectory(directory)
        usage = Self.measureUsage(in: directory + "/uploads")
    }

    /// Bytes a box holds here, as the quota counts them.
    public func bytesHeld(by box: String) -> Int { usage[box] ?? 0 }

    /// Starts an upload, or — for a key seen before — reports the one it started.
    /// - Parameter box: who sends it (its certificate's SHA-256), for the quota.
    /// - Returns: the status and whether it is new.
    public func create(idempotencyKey: String, _ upload: NewUpload, box: String = IngestStore.unidentifiedBox) throws(IngestError) -> (UploadStatus, created: Bool) {
        if let problem = upload.problem { throw .badRequest(problem) }
        if upload.sealing == .hpke, upload.length > Self.largestSealedLength {
            throw .tooLarge("a sealed payload may be at most \(Self.largestSealedLength) bytes (this receiver opens it in memory); \(upload.length) were announced")
        }
        if FileManager.default.fileExists(atPath: erasedPath(upload.objectID)) {
            throw .erased("object \(upload.objectID) was erased at its owner's request; it is not taken again")
        }
        if let existing = try uploadID(forKey: idempotencyKey), let status = try status(of: existing), let announced = try announcement(of: existing) {
            // The same key for different bytes is a box that made its payload again: it must start a new upload under a new key.
            guard announced == upload else { throw .keyReused("Idempotency-Key \(idempotencyKey) already names an upload of other bytes; use a new key") }
            return (status, false)
        }
        // A key whose upload expired unfinished (``expireStaleUploads(olderThan:now:)``) starts a new one.
        let held = usage[box] ?? 0
        guard held + upload.length <= boxQuota else {
            throw .insufficientStorage("this box holds \(held) bytes here and may hold \(boxQuota); \(upload.length) more do not fit until objects are taken away or erased")
        }
        let free = Self.freeBytes(at: directory)
        guard free - upload.length >= diskReserve else {
            throw .insufficientStorage("the receiver's disk has \(free) bytes free and keeps \(diskReserve) in reserve; try again when there is room")
        }
        let id = UUID().uuidString.lowercased()
        let announcement: Data
        do { announcement = try JSONEncoder().encode(upload) } catch { throw .storage("\(error)") }
        try write(Data(box.utf8), to: path(upload: id, ".owner"))
        try write(announcement, to: path(upload: id, ".json"))
        usage[box] = held + upload.length
        try write(Data(), to: path(upload: id, ".part"))
        // The key last: a crash before it leaves an upload no key names, never a key without its upload.
        try write(Data(id.utf8), to: keyPath(idempotencyKey))
        return (UploadStatus(id: id, offset: 0, complete: false), true)
    }

    public func status(of id: String) throws(IngestError) -> UploadStatus? {
        guard Self.isUploadID(id), let upload = try announcement(of: id) else { return nil }
        if FileManager.default.fileExists(atPath: objectPath(upload.objectID) + "/payload") {
            return UploadStatus(id: id, offset: upload.length, complete: true)
        }
        // No bytes file and no object: an upload a crash left half made or half removed; gone.
        guard let part = FileStatus.of(path(upload: id, ".part")), part.type == .regular else { return nil }
        return UploadStatus(id: id, offset: part.size, complete: false)
    }

    /// Appends `bytes` at `offset`, which must be the committed offset.
    public func append(to id: String, at offset: Int, _ bytes: [UInt8]) throws(IngestError) -> AppendResult {
        guard let current = try status(of: id), let upload = try announcement(of: id) else { throw .notFound }
        if current.complete { return .complete }
        guard offset == current.offset else { return .conflict(committed: current.offset) }
        guard offset + bytes.count <= upload.length else { throw .badRequest("the bytes run past the announced length \(upload.length)") }
        try appendDurably(bytes, to: path(upload: id, ".part"))
        let committed = offset + bytes.count
        guard committed == upload.length else { return .stored(offset: committed) }
        return try finish(id, upload)
    }

    private func finish(_ id: String, _ upload: NewUpload) throws(IngestError) -> AppendResult {
        let part = path(upload: id, ".part")
        let digest = try Self.sha256(ofFile: part)
        guard digest == upload.sha256.lowercased() else {
            // Start again from nothing: the box sends the object anew under a new key.
            try write(Data(), to: part)
            return .rejected("the bytes hash to \(digest), not the announced \(upload.sha256)")
        }
        let object = objectPath(upload.objectID)
        do {
            try FileManager.default.createDirectory(atPath: object, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw .storage("\(error)")
        }
        Self.syncDirectory(directory + "/objects")
        // What an earlier finish of this upload left when a crash cut it short (it is retried until it completes).
        PrivateFile.removeTemporaries(in: object)
        if upload.sealing == .hpke {
            guard let recipientKey else { return .rejected("this receiver has no private key to open sealed payloads") }
            // Bounded: create refuses sealed payloads over largestSealedLength.
            guard let payload = FileManager.default.contents(atPath: part) else { throw .storage("cannot read \(part)") }
            let opened: Data
            do {
                opened = try PayloadSealing.open(payload, with: recipientKey, info: UplinkPayload.sealingInfo(kind: upload.kind, objectID: upload.objectID))
            } catch {
                try write(Data(), to: part)
                return .rejected("the sealed payload does not open with this receiver's key: \(error)")
            }
            guard let (metadata, audio) = UplinkPayload.split(opened) else {
                return .rejected("the opened payload is not metadata length, metadata, audio")
            }
            try write(metadata, to: object + "/metadata.json")
            try write(audio, to: object + "/audio.opus")
        }
        // The payload last, renamed from the upload's bytes (already fsynced): its presence is what "complete" means.
        guard rename(part, object + "/payload") == 0 else { throw .storage("cannot move \(part) into place: \(String(cString: strerror(errno)))") }
        Self.syncDirectory(object)
        Self.syncDirectory(directory + "/uploads")
        return .complete
    }

    /// Removes uploads that were started and not finished, with no byte added
    /// for `age`: a box that died, or one that announces and never sends,
    /// must not hold its quota (and the disk) forever. A box that comes back
    /// later finds its upload gone (404) and announces it again, under the
    /// same key or a new one. Returns how many uploads went.
    /// - Parameters:
    ///   - age: how long without a byte makes an unfinished upload stale.
    ///   - now: the time, in seconds since 1970 (as the signature check reads it).
    public func expireStaleUploads(olderThan age: Duration, now: Int64) -> Int {
        let uploads = directory + "/uploads"
        var expired: Set<String> = []
        // By announcement: an upload whose bytes file a crash already removed is stale at once.
        for name in (try? FileManager.default.contentsOfDirectory(atPath: uploads)) ?? [] where name.hasSuffix(".json") {
            let id = String(name.dropLast(5))
            guard Self.isUploadID(id), let upload = (try? announcement(of: id)) ?? nil,
                !FileManager.default.fileExists(atPath: objectPath(upload.objectID) + "/payload")
            else { continue }
            if let touched = FileStatus.of(path(upload: id, ".part"))?.modifiedNanoseconds,
                Duration.seconds(now) - Duration.nanoseconds(touched) <= age
            {
                continue
            }
            let owner = owner(of: id)
            // The announcement first: without it nothing names the upload, whatever a crash leaves of the rest.
            for suffix in [".json", ".owner", ".part"] { unlink(path(upload: id, suffix)) }
            usage[owner] = max(0, (usage[owner] ?? 0) - upload.length)
            expired.insert(id)
        }
        guard !expired.isEmpty else { return 0 }
        Self.syncDirectory(uploads)
        let keys = directory + "/keys"
        for name in (try? FileManager.default.contentsOfDirectory(atPath: keys)) ?? [] {
            let file = keys + "/" + name
            if let id = FileManager.default.contents(atPath: file).map({ String(decoding: $0, as: UTF8.self) }), expired.contains(id) { unlink(file) }
        }
        Self.syncDirectory(keys)
        return expired.count
    }

    /// Erases everything held of an object: the stored object (payload,
    /// metadata, audio) and any upload of it, finished or not; then notes the
    /// erasure so that an upload of it still on its way is refused. Repeating
    /// it is harmless. Returns how many files went.
    public func erase(_ notice: EraseNotice) throws(IngestError) -> Int {
        if let problem = notice.problem { throw .badRequest(problem) }
        try write(Data(), to: erasedPath(notice.objectID))
        var removed = 0
        let object = objectPath(notice.objectID)
        for name in (try? FileManager.default.contentsOfDirectory(atPath: object)) ?? [] where unlink(object + "/" + name) == 0 {
            removed += 1
        }
        Self.syncDirectory(object)
        rmdir(object)
        Self.syncDirectory(directory + "/objects")
        for name in (try? FileManager.default.contentsOfDirectory(atPath: directory + "/uploads")) ?? [] where name.hasSuffix(".json") {
            let id = String(name.dropLast(5))
            guard let upload = (try? announcement(of: id)) ?? nil, upload.objectID == notice.objectID else { continue }
            let owner = owner(of: id)
            for suffix in [".part", ".json"] where unlink(path(upload: id, suffix)) == 0 {
                removed += 1
            }
            unlink(path(upload: id, ".owner"))
            usage[owner] = max(0, (usage[owner] ?? 0) - upload.length)
        }
        Self.syncDirectory(directory + "/uploads")
        return removed
    }

    // MARK: Files

    private func erasedPath(_ objectID: String) -> String { directory + "/erased/" + objectID }

    private func owner(of id: String) -> String {
        FileManager.default.contents(atPath: path(upload: id, ".owner")).map { String(decoding: $0, as: UTF8.self) } ?? Self.unidentifiedBox
    }

    /// The announced lengths of the upload records in `uploads`, per owner.
    private static func measureUsage(in uploads: String) -> [String: Int] {
        var usage: [String: Int] = [:]
        for name in (try? FileManager.default.contentsOfDirectory(atPath: uploads)) ?? [] where name.hasSuffix(".json") {
            let base = uploads + "/" + name.dropLast(5)
            guard let data = FileManager.default.contents(atPath: base + ".json"), let upload = try? JSONDecoder().decode(NewUpload.self, from: data) else {
                continue
            }
            let owner = FileManager.default.contents(atPath: base + ".owner").map { String(decoding: $0, as: UTF8.self) } ?? unidentifiedBox
            usage[owner, default: 0] += upload.length
        }
        return usage
    }

    private static func freeBytes(at path: String) -> Int {
        var stats = statvfs()
        guard statvfs(path, &stats) == 0 else { return 0 }
        let (free, overflow) = Int(clamping: stats.f_bavail).multipliedReportingOverflow(by: Int(clamping: stats.f_frsize))
        return overflow ? Int.max : free
    }

    /// The file's SHA-256 in hex, read in 1 MiB pieces: never the whole file in memory.
    private static func sha256(ofFile path: String) throws(IngestError) -> String {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .storage("cannot read \(path): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        var hasher = SHA256()
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            guard count >= 0 else { throw .storage("cannot read \(path): \(String(cString: strerror(errno)))") }
            if count == 0 { break }
            hasher.update(data: buffer[0..<count])
        }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// A rename or a new name is durable only once its directory is synced.
    private static func syncDirectory(_ path: String) {
        let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        fsync(descriptor)
        close(descriptor)
    }

    private func uploadID(forKey key: String) throws(IngestError) -> String? {
        FileManager.default.contents(atPath: keyPath(key)).map { String(decoding: $0, as: UTF8.self) }
    }

    private func announcement(of id: String) throws(IngestError) -> NewUpload? {
        guard let data = FileManager.default.contents(atPath: path(upload: id, ".json")) else { return nil }
        do { return try JSONDecoder().decode(NewUpload.self, from: data) } catch { throw .storage("upload \(id): \(error)") }
    }

    private func keyPath(_ key: String) -> String {
        directory + "/keys/" + SHA256.hash(data: Data(key.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    private func path(upload id: String, _ suffix: String) -> String { directory + "/uploads/" + id + suffix }
    private func objectPath(_ objectID: String) -> String { directory + "/objects/" + objectID }

    static func isUploadID(_ id: String) -> Bool { UUID(uuidString: id) != nil && id == id.lowercased() }

    private func size(of path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
    }

    /// Whole file, fsynced, renamed into place: a crash leaves the old file or
    /// the new one. The temporary has a name of its own (two requests writing
    /// one record never share it) and is created O_EXCL|O_NOFOLLOW, never
    /// through whatever else is in the directory.
    private func write(_ data: Data, to path: String) throws(IngestError) {
        let directory = PrivateFile.parentDirectory(of: path)
        let temporary = directory + "/" + PrivateFile.temporaryName(for: PrivateFile.fileName(of: path))
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw .storage("cannot create \(temporary): \(String(cString: strerror(errno)))") }
        var failure: Int32 = 0
        data.withUnsafeBytes { buffer in
            var done = 0
            while done < buffer.count {
                let count = Glibc.write(descriptor, buffer.baseAddress! + done, buffer.count - done)
                if count < 0, errno == EINTR { continue }
                guard count > 0 else {
                    failure = count < 0 ? errno : EIO
                    return
                }
                done += count
            }
        }
        if failure == 0, fsync(descriptor) != 0 { failure = errno }
        close(descriptor)
        if failure == 0, rename(temporary, path) != 0 { failure = errno }
        guard failure == 0 else {
            unlink(temporary)
            throw .storage("cannot write \(path): \(String(cString: strerror(failure)))")
        }
        Self.syncDirectory(directory)
    }

    /// Appends and fsyncs before returning: the offset reported is on disk.
    private func appendDurably(_ bytes: [UInt8], to path: String) throws(IngestError) {
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CLOEXEC)
        guard descriptor >= 0 else { throw .storage("cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        var done = 0
        while done < bytes.count {
            let count = bytes[done...].withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            guard count > 0 else { throw .storage("cannot append to \(path): \(String(cString: strerror(errno)))") }
            done += count
        }
        guard fsync(descriptor) == 0 else { throw .storage("cannot sync \(path): \(String(cString: strerror(errno)))") }
    }
}

public enum IngestError: Error, Hashable, Sendable, CustomStringConvertible {
    case badRequest(String)
    /// An Idempotency-Key sent again with a different announcement (422, as the idempotency-key draft says).
    case keyReused(String)
    case notFound
    /// An upload of an object its owner had erased (410).
    case erased(String)
    /// More than this box's quota, or less than the reserve left on disk (507).
    case insufficientStorage(String)
    /// An announcement over a limit of this receiver (413).
    case tooLarge(String)
    case storage(String)

    public var description: String {
        switch self {
        case .badRequest(let why): "bad request: \(why)"
        case .keyReused(let why): why
        case .notFound: "no such upload"
        case .erased(let why): why
        case .insufficientStorage(let why): "insufficient storage: \(why)"
        case .tooLarge(let why): why
        case .storage(let why): "storage failed: \(why)"
        }
    }
}
