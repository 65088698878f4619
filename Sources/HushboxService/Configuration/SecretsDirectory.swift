public import Vault
internal import Configuration
internal import SystemPackage
internal import PrivateFiles

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
    /// A secret sealed with `systemd-creds encrypt` (`device-kek.cred` beside
    /// where `device-kek` would be) stands in for the file: systemd opens it for
    /// the service, and ``read(_:)`` opens it for the administrator's commands.
    public func check(_ secret: SecretSetting) throws(ConfigurationError) -> FileStatus {
        let file = location(of: secret)
        if FileStatus.of(file) == nil, let sealed = FileStatus.of(sealedLocation(of: secret)) {
            guard sealed.type == .regular, sealed.isPrivate else {
                throw .secretFile(sealedLocation(of: secret), "must be a regular file readable by its owner only: chmod 600 \(sealedLocation(of: secret))")
            }
            return sealed
        }
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
        if FileStatus.of(location(of: secret)) == nil {
            return try openSealed(secret)
        }
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

    /// Where the sealed form of a secret lives.
    public func sealedLocation(of secret: SecretSetting) -> String {
        location(of: secret) + ".cred"
    }

    private func openSealed(_ secret: SecretSetting) throws(ConfigurationError) -> [UInt8] {
        let path = sealedLocation(of: secret)
        let sealed: [UInt8]
        do {
            sealed = try BoundedFile.read(path, limit: 64 * 1024)
        } catch {
            throw .secretFile(path, "cannot be read: \(error.reason)")
        }
        let bytes: [UInt8]
        do {
            bytes = try SystemdCredentials().decrypt(sealed, name: secret.fileName)
        } catch {
            throw .secretFile(path, "\(error.description). It is sealed to this machine: run the command as root on the box that sealed it")
        }
        guard bytes.count == secret.byteCount else {
            throw .secretFile(path, "opens to \(bytes.count) bytes; it must hold exactly \(secret.byteCount)")
        }
        return bytes
    }
}
