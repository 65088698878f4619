#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import GRDB
import Logging

/// The uplink spool is a copy of messages on their way: `<entry>.payload` and
/// `<entry>.json` per outbox entry (the payload in clear when its destination
/// has no public key). A copy may outlive neither its entry nor its message,
/// so whatever ends one — delivery, withdrawal, the owner's delete, an
/// erasure, the retention purge — sweeps the spool after its commit, and the
/// uplink worker sweeps at start what a crash left between commit and unlink.
extension Vault {
    /// The spool's directory name inside the vault's (the data) directory.
    public static let spoolDirectoryName = "uplink"

    public var spoolDirectory: String { directory + "/" + Self.spoolDirectoryName }

    /// The names a spooled entry's files have (and, from before PrivateFile
    /// named its temporaries at random, their fixed-name temporaries).
    static let spoolSuffixes = [".payload", ".json", ".payload.partial", ".json.partial"]

    /// Removes every spooled file whose entry is no longer on its way: gone,
    /// delivered or withdrawn, or whose message is no longer active (deleted,
    /// erased, purged). An abandoned entry keeps its files: a person may retry
    /// it. Files that are not an entry's are left alone. Returns how many were removed.
    @discardableResult
    public func sweepSpool() throws(VaultError) -> Int {
        let spool = spoolDirectory
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: spool) else { return 0 }
        var removed = 0
        for name in names {
            // A temporary a crash left (where the filesystem has no O_TMPFILE) goes with its file.
            let fileName = PrivateFile.finalName(ofTemporary: name) ?? name
            guard let suffix = Self.spoolSuffixes.first(where: { fileName.hasSuffix($0) }) else { continue }
            let entryID = String(fileName.dropLast(suffix.count))
            guard !entryID.isEmpty, !entryID.contains("/"), try !spooledEntryIsOnItsWay(entryID) else { continue }
            if unlink(spool + "/" + name) == 0 { removed += 1 }
        }
        return removed
    }

    /// The sweep after a commit that ended entries or messages: it must not
    /// turn a committed erasure or purge into a reported failure (a caller
    /// would retry what is done), so a failure is logged, and the uplink
    /// worker's start-up sweep removes what is left.
    public func sweepSpoolAfterCommit() {
        do {
            try sweepSpool()
        } catch {
            logger.warning("spooled copies could not be swept; the uplink's next start sweeps them", metadata: ["error": "\(error)"])
        }
    }

    /// Removes one entry's spooled files at once (its delivery or withdrawal was just recorded).
    func removeSpooledFiles(ofEntry entryID: String) {
        for suffix in Self.spoolSuffixes { unlink(spoolDirectory + "/" + entryID + suffix) }
    }

    private func spooledEntryIsOnItsWay(_ entryID: String) throws(VaultError) -> Bool {
        try read("checking spooled entry \(entryID)") { db throws(VaultError) in
            try VaultError.guarding("checking spooled entry \(entryID)") {
                let row = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT o.state, v.state FROM outbox o
                        LEFT JOIN voicemails v ON v.tenant_id = o.tenant_id AND v.id = o.reference_id
                        WHERE o.id = ?
                        """,
                    arguments: [entryID]
                )
                guard let row else { return false }
                let entry: String = row[0]
                let message: String? = row[1]
                return ["pending", "delivering", "abandoned"].contains(entry) && message == Voicemail.State.active.rawValue
            }
        }
    }
}
