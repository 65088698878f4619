import Foundation
public import Logging
public import Vault

/// Opens the vault for the daemon and the CLI: the device key from the secrets
/// directory, the database and objects in the data directory. Finishes a device
/// key rotation that was cut off between committing the re-wrapped keys and
/// putting the new key file in place.
public enum VaultAccess {
    /// The name of a new device key while `hushbox keys rotate-kek` runs.
    static let stagedKeyFileName = SecretSetting.deviceKEK.fileName + ".next"

    /// Run as root on a box whose data belongs to the service's account, the
    /// process becomes that account once the device key is read (``ServiceAccount``).
    public static func open(_ configuration: HushboxConfiguration, logger: Logger) async throws -> Vault {
        let secrets = try SecretsDirectory(path: configuration.secrets.directory)
        let kek = try DeviceKEK(bytes: try await secrets.read(.deviceKEK))
        let directory = configuration.storage.dataDirectory
        try ServiceAccount.adoptOwner(of: directory)
        do {
            return try Vault.open(directory: directory, deviceKEK: kek, logger: logger)
        } catch where error.code == .wrongDeviceKey {
            guard let staged = try finishInterruptedRotationAsAdministrator(secrets: secrets, vaultDirectory: directory) else { throw error }
            logger.notice("finished an interrupted device key rotation: the new device key is now in place")
            let vault = try Vault.open(directory: directory, deviceKEK: staged, logger: logger)
            // The rotation may have stopped before its checkpoint: old wrappings may still be on the disk.
            try vault.checkpointAndTruncateWAL()
            return vault
        }
    }

    /// The secrets directory is root's: the staged key is read and put in place as the administrator.
    private static func finishInterruptedRotationAsAdministrator(secrets: SecretsDirectory, vaultDirectory: String) throws -> DeviceKEK? {
        var staged: DeviceKEK?
        try ServiceAccount.asAdministrator {
            staged = try finishInterruptedRotation(secrets: secrets, vaultDirectory: vaultDirectory)
        }
        return staged
    }

    /// If a staged key matches the vault, the rotation committed but the key file
    /// was not replaced yet: replace it now.
    private static func finishInterruptedRotation(secrets: SecretsDirectory, vaultDirectory: String) throws -> DeviceKEK? {
        let stagedPath = secrets.path + "/" + stagedKeyFileName
        guard let bytes = FileManager.default.contents(atPath: stagedPath),
            let staged = try? DeviceKEK(bytes: bytes),
            try Vault.deviceKEK(staged, matchesVaultIn: vaultDirectory)
        else { return nil }
        try replaceKeyFile(in: secrets)
        return staged
    }

    /// Puts the staged key in place of the current one, durably.
    static func replaceKeyFile(in secrets: SecretsDirectory) throws {
        let staged = secrets.path + "/" + stagedKeyFileName
        let current = secrets.location(of: .deviceKEK)
        guard rename(staged, current) == 0 else {
            throw PathProblem(current, "cannot replace the device key with \(staged): \(String(cString: strerror(errno)))")
        }
        try PrivateFile.syncDirectory(secrets.path)
    }
}
