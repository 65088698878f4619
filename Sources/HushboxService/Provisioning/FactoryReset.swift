import Foundation
internal import PrivateFiles
internal import Vault

/// Returns a box to the state the package left it in, by crypto-erase: the
/// device key-encryption key (sealed or not) is destroyed first, then every
/// wrapped key in the vault, then every other secret, and only then the data.
/// A power cut at any point leaves data no one can open: a copy of the vault
/// taken before the reset (an SD card image) is as unreadable as the box.
public struct FactoryReset: Sendable {
    public let configuration: HushboxConfiguration
    public let paths: BundleProvisioner.Paths

    public init(configuration: HushboxConfiguration, paths: BundleProvisioner.Paths) {
        self.configuration = configuration
        self.paths = paths
    }

    /// What the reset did, in order.
    public func run() throws -> [String] {
        var done: [String] = []
        let secrets = configuration.secrets.directory
        let kek = secrets + "/" + SecretSetting.deviceKEK.fileName
        for path in [kek, kek + ".cred", kek + ".next"] where FileStatus.of(path) != nil {
            try Self.destroy(path)
            done.append("destroyed the device key \(path)")
        }
        let data = configuration.storage.dataDirectory
        let wrapped = try Vault.destroyWrappedKeys(inDirectory: data)
        done.append("destroyed \(wrapped) wrapped keys in the vault")
        for path in [configuration.tls.privateKeyPath] + Self.files(in: secrets) where FileStatus.of(path)?.type == .regular {
            try Self.destroy(path)
            done.append("destroyed \(path)")
        }
        if FileStatus.of(data) != nil {
            for entry in (try? FileManager.default.contentsOfDirectory(atPath: data)) ?? [] {
                try FileManager.default.removeItem(atPath: data + "/" + entry)
            }
            try PrivateFile.syncDirectory(data)
            done.append("deleted everything in \(data)")
        }
        let dropIn = paths.dropInDirectory + "/" + ServiceDropIn.fileName
        for path in [paths.record, dropIn] where FileStatus.of(path) != nil {
            try FileManager.default.removeItem(atPath: path)
            done.append("removed \(path)")
        }
        var file = try ConfigurationFileEditor(path: paths.configurationFile)
        file.keepOnly { key in ConfigurationSchema.setting(forKey: key)?.kind == .absolutePath && !key.contains(".peers.") && !key.contains(".destinations.") }
        file.set(ConfigurationSchema.deviceProvisioned.key, .flag(false))
        try file.write(header: "Reset to factory state by `hushbox factory-reset`; provision the box again with `hushbox provision --bundle FILE --signer KEY`.")
        done.append("reset \(paths.configurationFile) (device.provisioned: false)")
        return done
    }

    private static func files(in directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted().map { directory + "/" + $0 }
    }

    /// Zeros over the file's bytes, synced, then the name removed. On flash
    /// storage the zeros may land elsewhere: the crypto-erase does not rely on
    /// them, only on every key that opens anything being gone.
    static func destroy(_ path: String) throws {
        let descriptor = open(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC)
        if descriptor >= 0 {
            defer { close(descriptor) }
            if let size = FileStatus.of(descriptor: descriptor)?.size, size > 0 {
                let zeros = [UInt8](repeating: 0, count: size)
                _ = zeros.withUnsafeBytes { write(descriptor, $0.baseAddress, size) }
                fsync(descriptor)
            }
        }
        guard unlink(path) == 0 || errno == ENOENT else {
            throw BundleError("cannot remove \(path): \(String(cString: strerror(errno)))")
        }
        try PrivateFile.syncDirectory(PrivateFile.parentDirectory(of: path))
    }
}
