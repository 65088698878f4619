public import Foundation
import GRDB

/// The result of walking the audit chain.
public enum AuditVerification: Sendable, Hashable {
    /// Every entry links to the one before and hashes to what it stores.
    case intact(entries: Int, headHash: Data)
    /// The first entry that does not, and why.
    case broken(sequence: Int64, reason: String)
}

extension Vault {
    /// Walks the whole chain from the first entry: sequence numbers without gaps,
    /// each prev_hash equal to the previous entry's hash, each hash recomputed.
    /// Also checks that the append-only triggers are still in place.
    public func verifyAuditChain() throws(VaultError) -> AuditVerification {
        try read("verifying the audit chain") { db throws(VaultError) in
            let triggers = try VaultError.guarding("reading the schema") {
                try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_log'")
            }
            for trigger in ["audit_log_no_update", "audit_log_no_delete"] where !triggers.contains(trigger) {
                return .broken(sequence: 0, reason: "the append-only trigger \(trigger) was removed from the database")
            }
            let cursor = try VaultError.guarding("reading the audit log") {
                try AuditRecord.order(Column("seq")).fetchCursor(db)
            }
            var expectedSequence: Int64 = 1
            var previousHash = AuditRecord.genesisHash
            var count = 0
            while let record = try VaultError.guarding("reading the audit log", { try cursor.next() }) {
                if record.seq != expectedSequence {
                    return .broken(sequence: record.seq, reason: "entries \(expectedSequence)…\(record.seq - 1) are missing")
                }
                if record.prevHash != previousHash {
                    return .broken(sequence: record.seq, reason: "its link to entry \(record.seq - 1) does not match that entry's hash")
                }
                if record.computedHash != record.hash {
                    return .broken(sequence: record.seq, reason: "its contents do not match its hash: the entry was altered")
                }
                previousHash = record.hash
                expectedSequence += 1
                count += 1
            }
            return .intact(entries: count, headHash: previousHash)
        }
    }
}
