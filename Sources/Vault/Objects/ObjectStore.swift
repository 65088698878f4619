import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The directory of sealed object files: `objects/<tenant id>/<object id>.hbx`,
/// every directory 0700 and every file 0600. Only the vault names paths here,
/// from ids it generated itself, so no caller-supplied text reaches the file system.
struct ObjectStore: Sendable {
    let directory: String
    /// Runs before every fsync of an object file: a slow card, in tests.
    let beforeEachSync: (@Sendable () -> Void)?

    init(directory: String, beforeEachSync: (@Sendable () -> Void)? = nil) throws(VaultError) {
        do {
            try PrivateFile.ensureDirectory(directory)
        } catch {
            throw VaultError(.objectIO, "cannot create the object directory: \(error)")
        }
        self.directory = directory
        self.beforeEachSync = beforeEachSync
    }

    func path(tenantID: String, objectID: String) -> String {
        directory + "/" + tenantID + "/" + objectID + ".hbx"
    }

    func ensureTenantDirectory(_ tenantID: String) throws(VaultError) {
        do {
            if try PrivateFile.ensureDirectory(directory + "/" + tenantID) {
                try PrivateFile.syncDirectory(directory)
            }
        } catch {
            throw VaultError(.objectIO, "cannot create the tenant's object directory: \(error)")
        }
    }

    /// Removes an object's file and makes the removal durable. A file already
    /// gone is not an error: erasure may be resumed after a crash.
    func remove(tenantID: String, objectID: String) throws(VaultError) {
        let file = path(tenantID: tenantID, objectID: objectID)
        if unlink(file) != 0, errno != ENOENT {
            throw VaultError(.objectIO, "cannot remove object file \(file): \(String(cString: strerror(errno)))")
        }
        do {
            try PrivateFile.syncDirectory(PrivateFile.parentDirectory(of: file))
        } catch {
            throw VaultError(.objectIO, "\(error)")
        }
    }
}
