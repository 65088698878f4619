internal import Vault
import Crypto
public import Foundation

/// Prepares a box's private state: the data directory, the secrets directory with
/// a fresh device key, and a self-signed TLS certificate. It creates only what is
/// missing and never replaces anything, so running it again (a second `make run`,
/// a technician repeating `hushbox provision init`) keeps every key and all data.
public struct DeviceProvisioner: Sendable {
    /// One thing provisioning looked at, and whether it made it or found it.
    public struct Step: Sendable, Hashable {
        public enum Outcome: String, Sendable, Hashable {
            case created, kept, replaced, written
        }

        public let item: String
        public let path: String
        public let outcome: Outcome
    }

    public let configuration: HushboxConfiguration
    /// Seals a new device key to this machine (`systemd-creds encrypt`), so it
    /// is written only as `device-kek.cred` and never in clear; nil writes the 0600 file.
    public let sealDeviceKey: (@Sendable ([UInt8]) throws(BundleError) -> [UInt8])?

    public init(configuration: HushboxConfiguration, sealDeviceKey: (@Sendable ([UInt8]) throws(BundleError) -> [UInt8])? = nil) {
        self.configuration = configuration
        self.sealDeviceKey = sealDeviceKey
    }

    public func provision(now: Date) throws(PathProblem) -> [Step] {
        try provisionKeys() + provisionTLS(now: now)
    }

    /// The directories and the device key: root's work on a packaged box.
    public func provisionKeys() throws(PathProblem) -> [Step] {
        [
            try privateDirectory("data directory", configuration.storage.dataDirectory),
            try privateDirectory("secrets directory", configuration.secrets.directory),
            try deviceKey(),
        ]
    }

    /// The self-signed TLS identity in the data directory: made as the data's owner.
    public func provisionTLS(now: Date) throws(PathProblem) -> [Step] {
        try tlsIdentity(now: now)
    }

    private func privateDirectory(_ item: String, _ path: String) throws(PathProblem) -> Step {
        let created: Bool
        do {
            created = try PrivateFile.ensureDirectory(path)
        } catch {
            throw PathProblem(path, "cannot create the \(item): \(error)")
        }
        guard let status = FileStatus.of(path), status.isPrivate else {
            let mode = FileStatus.of(path)?.octalPermissions ?? "unknown"
            throw PathProblem(path, "the \(item) has mode \(mode), which lets other users in; it must be private: chmod 700 \(path)")
        }
        return Step(item: item, path: path, outcome: created ? .created : .kept)
    }

    private func deviceKey() throws(PathProblem) -> Step {
        let secret = SecretSetting.deviceKEK
        let path = configuration.secrets.directory + "/" + secret.fileName
        let sealedPath = path + ".cred"
        if FileStatus.of(path) != nil {
            return Step(item: "device key", path: path, outcome: .kept)
        }
        if FileStatus.of(sealedPath) != nil {
            return Step(item: "device key (sealed)", path: sealedPath, outcome: .kept)
        }
        let key = SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }
        if let sealDeviceKey {
            do {
                try PrivateFile.create(sealedPath, contents: try sealDeviceKey(key))
            } catch {
                throw PathProblem(sealedPath, "cannot create the sealed device key: \(error)")
            }
            return Step(item: "device key (sealed)", path: sealedPath, outcome: .created)
        }
        do {
            try PrivateFile.create(path, contents: key)
        } catch {
            throw PathProblem(path, "cannot create the device key: \(error)")
        }
        return Step(item: "device key", path: path, outcome: .created)
    }

    private func tlsIdentity(now: Date) throws(PathProblem) -> [Step] {
        let certificatePath = configuration.tls.certificatePath
        let keyPath = configuration.tls.privateKeyPath
        let haveCertificate = FileStatus.of(certificatePath) != nil
        let haveKey = FileStatus.of(keyPath) != nil
        switch (haveCertificate, haveKey) {
        case (true, true):
            return [
                Step(item: "TLS certificate", path: certificatePath, outcome: .kept),
                Step(item: "TLS private key", path: keyPath, outcome: .kept),
            ]
        case (true, false):
            throw PathProblem(keyPath, "the TLS certificate exists but its private key does not. Restore the key, or remove \(certificatePath) to make a new pair.")
        case (false, true):
            throw PathProblem(certificatePath, "the TLS private key exists but its certificate does not. Restore the certificate, or remove \(keyPath) to make a new pair.")
        case (false, false):
            break
        }
        for directory in Set([PrivateFile.parentDirectory(of: certificatePath), PrivateFile.parentDirectory(of: keyPath)]) {
            _ = try privateDirectory("TLS directory", directory)
        }
        do {
            let pair = try DeviceCertificate.generate(deviceName: configuration.device.name, now: now)
            try PrivateFile.create(keyPath, contents: Array(pair.privateKeyPEM.utf8))
            try PrivateFile.create(certificatePath, contents: Array(pair.certificatePEM.utf8))
        } catch {
            throw PathProblem(certificatePath, "cannot create the self-signed TLS certificate: \(error)")
        }
        return [
            Step(item: "TLS certificate", path: certificatePath, outcome: .created),
            Step(item: "TLS private key", path: keyPath, outcome: .created),
        ]
    }
}
