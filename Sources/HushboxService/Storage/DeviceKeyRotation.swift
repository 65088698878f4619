import Foundation
public import Logging
internal import Vault

/// `hushbox keys rotate-kek`: a new device key, with no window in which a crash
/// could lose the data.
///
/// 1. the new key is written to `device-kek.next` (0600, fsynced);
/// 2. every key held by the device key is re-wrapped in one transaction;
/// 3. `device-kek.next` is renamed over `device-kek`.
///
/// A crash before 2 commits leaves the old key in force (the staged file is
/// discarded next time); a crash after it is finished by ``VaultAccess`` on the
/// next start, which finds the staged key matching the vault.
public enum DeviceKeyRotation {
    public struct Outcome: Sendable {
        public let keysRewrapped: Int
        public let keyFile: String
    }

    public static func rotate(_ configuration: HushboxConfiguration, actor: String, logger: Logger) async throws -> Outcome {
        let secrets = try SecretsDirectory(path: configuration.secrets.directory)
        guard access(secrets.path, W_OK) == 0 else {
            throw PathProblem(secrets.path, "the secrets directory is read-only (systemd credentials?). Rotate with --config pointing secrets.directory at the writable directory holding device-kek, then re-seal it with systemd-creds.")
        }
        guard FileStatus.of(secrets.sealedLocation(of: .deviceKEK)) == nil else {
            throw PathProblem(
                secrets.sealedLocation(of: .deviceKEK),
                "the device key is sealed to this machine with systemd-creds; rotating a sealed key is not supported yet. Until it is, the sealed key stays in force (it never leaves this machine).")
        }
        let vault = try await VaultAccess.open(configuration, logger: logger)
        let stagedPath = secrets.path + "/" + VaultAccess.stagedKeyFileName
        // The secrets directory is root's; the vault is the service account's (``ServiceAccount``).
        let next = DeviceKEK.generate()
        try ServiceAccount.asAdministrator {
            // A staged key left by a rotation that never committed is worthless.
            if FileStatus.of(stagedPath) != nil { unlink(stagedPath) }
            // A key candidate half written by a rotation a crash cut short (where files need named temporaries).
            PrivateFile.removeTemporaries(in: secrets.path)
            try PrivateFile.create(stagedPath, contents: next.bytes)
        }
        let count = try vault.rotateDeviceKEK(to: next.kek, actor: actor)
        try ServiceAccount.asAdministrator { try VaultAccess.replaceKeyFile(in: secrets) }
        logger.notice("device key rotated", metadata: ["keys_rewrapped": "\(count)"])
        return Outcome(keysRewrapped: count, keyFile: secrets.location(of: .deviceKEK))
    }
}
