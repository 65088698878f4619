public import Vault
internal import Configuration
internal import SystemPackage

/// The directory secrets are read from: systemd's `$CREDENTIALS_DIRECTORY` on a
/// box, `.hushbox-dev/credentials` in development. Only its owner may read it;
/// a secret readable by anyone else is refused, never used.
public struct SecretsDirectory: Sendable {
    public let path: String

    /// Opens the directory after checking it exists and is private.
    public init(path: String) throws(ConfigurationError) {
        guard let status = FileStatus.of(path) else {
            throw .secretsDirectory(path, "it does not exist. Create it with `hushbox provision init`, or point secrets.directory at the directory holding device-kek.")
        }
        guard status.type == .directory else {
            throw .secretsDirectory(path, "it is not a directory.")
        }
        guard status.isPrivate else {
            throw .secretsDirectory(path, "mode \(status.octalPermissions) lets other users in; it must be private: chmod 700 \(path)")
        }
        self.path = path
    }

    /// The path of one secret's file.
    public func location(of secret: SecretSetting) -> String {
        path + "/" + secret.fileName
    }

    /// Checks a secret without reading it into memory: present, a regular file,
    /// private, of the right length.
    public func check(_ secret: SecretSetting) throws(ConfigurationError) -> FileStatus {
        let file = location(of: secret)
        guard let status = FileStatus.of(file) else {
            throw .secretFile(file, "missing. `hushbox provision init` creates it; on a systemd box, load it with LoadCredentialEncrypted=\(secret.fileName):...")
        }
        guard status.type == .regular else {
            throw .secretFile(file, "not a regular file (symbolic links and devices are refused).")
        }
        guard status.isPrivate else {
            throw .secretFile(file, "mode \(status.octalPermissions) lets other users read it; it must be readable by its owner only: chmod 600 \(file)")
        }
        guard status.size == secret.byteCount else {
            throw .secretFile(file, "holds \(status.size) bytes; it must hold exactly \(secret.byteCount) raw bytes (not hex, no newline).")
        }
        return status
    }

    /// Reads a secret's bytes, after ``check(_:)``, through swift-configuration's
    /// directory provider (which maps the key `device-kek` to the file of that name).
    public func read(_ secret: SecretSetting) async throws(ConfigurationError) -> [UInt8] {
        _ = try check(secret)
        do {
            let provider = try await DirectoryFilesProvider(directoryPath: .init(path))
            let bytes = try ConfigReader(provider: provider).requiredBytes(forKey: ConfigKey([secret.fileName]), isSecret: true)
            guard bytes.count == secret.byteCount else {
                throw ConfigurationError.secretFile(location(of: secret), "changed while it was being read; try again.")
            }
            return bytes
        } catch let error as ConfigurationError {
            throw error
        } catch {
            throw .secretFile(location(of: secret), "cannot be read: \(error)")
        }
    }
}
