public import Foundation
import GRDB

/// What the vault knows of a sealed object.
public struct SealedObjectInfo: Sendable, Hashable {
    public enum State: String, Sendable, Hashable {
        /// A writer is (or was, until it died) writing it.
        case writing
        case complete
        /// Recovered after its writer died: readable up to its last whole chunk.
        case cut
    }

    public let id: String
    public let state: State
    public let byteCount: Int
    public let chunkCount: Int
    public let createdAt: Date
}

extension TenantVault {
    /// Starts a new sealed object: a random key wrapped by this tenant's data
    /// key and a `writing` row are committed first, then the file is created.
    /// - Parameter chunkSize: bytes per sealed chunk, the unit that survives a
    ///   crash; recordings use small chunks so a cut message loses little.
    public func createObject(chunkSize: Int = ObjectStream.defaultChunkSize) throws(VaultError) -> SealedObjectWriter {
        let objectID = Self.newID()
        let key = try write("creating object \(objectID)") { db, _ throws(VaultError) in
            let dataKeyID = try vault.keys.activeDataKeyID(tenantID, in: db)
            let key = try vault.keys.create(.object, tenantID: tenantID, under: dataKeyID, in: db)
            let record = ObjectRecord(
                id: objectID, tenantID: tenantID, keyID: key.id, state: .writing, byteCount: 0, chunkCount: 0,
                createdAt: timestamp(), completedAt: nil
            )
            try VaultError.guarding("recording object \(objectID)") { try record.insert(db) }
            return key.key
        }
        try vault.objects.ensureTenantDirectory(tenantID)
        return try SealedObjectWriter(
            path: vault.objects.path(tenantID: tenantID, objectID: objectID),
            stream: ObjectStream(key: key, tenantID: tenantID, objectID: objectID, chunkSize: chunkSize),
            tenantID: tenantID, objectID: objectID, beforeEachSync: vault.objects.beforeEachSync
        )
    }

    /// Finishes a writer and records the object complete.
    @discardableResult
    public func finish(_ writer: SealedObjectWriter) throws(VaultError) -> SealedObjectInfo {
        precondition(writer.tenantID == tenantID, "a writer of tenant \(writer.tenantID) was finished through tenant \(tenantID)")
        let summary = try writer.finish()
        return try write("completing object \(writer.objectID)") { db, _ throws(VaultError) in
            try recordComplete(writer.objectID, summary: summary, in: db)
        }
    }

    /// Records an object complete inside the caller's transaction, so that the
    /// rows that refer to it (a voicemail, its call, the audit entry) commit with it.
    func recordComplete(_ objectID: String, summary: SealedObjectWriter.Summary, in db: Database) throws(VaultError) -> SealedObjectInfo {
        guard var record = try fetchObject(objectID, in: db) else {
            throw VaultError(.notFound, "there is no object \(objectID) for this tenant")
        }
        record.state = .complete
        record.byteCount = summary.byteCount
        record.chunkCount = summary.chunkCount
        record.completedAt = timestamp()
        try VaultError.guarding("completing object \(objectID)") { try record.update(db) }
        return Self.info(record)
    }

    /// Opens an object for reading. A complete object must read back exactly as
    /// recorded; an unfinished one reads up to its last whole chunk.
    public func openObject(_ objectID: String) throws(VaultError) -> SealedObjectReader {
        let (record, key) = try read("opening object \(objectID)") { db, _ throws(VaultError) in
            guard let record = try fetchObject(objectID, in: db) else {
                throw VaultError(.notFound, "there is no object \(objectID) for this tenant")
            }
            guard let keyID = record.keyID else {
                throw VaultError(.keyDestroyed, "object \(objectID) was erased: its key is destroyed")
            }
            return (record, try vault.keys.key(id: keyID, in: db))
        }
        let expected = record.state == .complete ? SealedObjectWriter.Summary(byteCount: record.byteCount, chunkCount: record.chunkCount) : nil
        return try SealedObjectReader(
            path: vault.objects.path(tenantID: tenantID, objectID: objectID), key: key, tenantID: tenantID,
            objectID: objectID, expected: expected
        )
    }

    public func object(_ objectID: String) throws(VaultError) -> SealedObjectInfo? {
        try read("reading object \(objectID)") { db, _ throws(VaultError) in
            try fetchObject(objectID, in: db).map(Self.info)
        }
    }

    /// This tenant's objects, oldest first.
    public func objects() throws(VaultError) -> [SealedObjectInfo] {
        try read("listing objects") { db, _ throws(VaultError) in
            try VaultError.guarding("listing objects") {
                try ObjectRecord.owned(by: tenantID).order(Column("created_at"), Column("id")).fetchAll(db).map(Self.info)
            }
        }
    }

    /// Records an object whose writer died as cut, with the size that survived.
    public func recordCut(_ objectID: String, wholeChunks: Int, byteCount: Int) throws(VaultError) {
        try write("recording object \(objectID) as cut") { db, _ throws(VaultError) in
            guard var record = try fetchObject(objectID, in: db) else {
                throw VaultError(.notFound, "there is no object \(objectID) for this tenant")
            }
            record.state = .cut
            record.chunkCount = wholeChunks
            record.byteCount = byteCount
            try VaultError.guarding("recording object \(objectID) as cut") { try record.update(db) }
        }
    }

    func fetchObject(_ objectID: String, in db: Database) throws(VaultError) -> ObjectRecord? {
        try VaultError.guarding("reading object \(objectID)") {
            try ObjectRecord.owned(by: tenantID).filter(key: objectID).fetchOne(db)
        }
    }

    private static func info(_ record: ObjectRecord) -> SealedObjectInfo {
        SealedObjectInfo(
            id: record.id, state: SealedObjectInfo.State(rawValue: record.state.rawValue) ?? .writing,
            byteCount: record.byteCount, chunkCount: record.chunkCount, createdAt: Date(milliseconds: record.createdAt)
        )
    }
}
