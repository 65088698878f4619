import Foundation
internal import Vault

/// Where payloads on their way wait, sealed, between attempts: one
/// `<entry>.payload` and its `<entry>.json` announcement per outbox entry, in
/// `<storage.data_directory>/uplink` (0700, files 0600).
public enum UplinkSpool {
    public static func directory(of configuration: HushboxConfiguration) -> String {
        configuration.storage.dataDirectory + "/" + Vault.spoolDirectoryName
    }

    /// Removes an entry's spooled payload: once delivered, or before a retry a
    /// person asked for, so it is made again from the message with the
    /// destination's current key.
    public static func discard(entryID: String, in directory: String) {
        for suffix in [".payload", ".json"] { try? FileManager.default.removeItem(atPath: directory + "/" + entryID + suffix) }
    }
}
