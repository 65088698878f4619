public import Foundation
public import Logging
internal import PrivateFiles
internal import SIPStack
internal import Privacy
internal import Uplink
internal import Vault
internal import Voicemail

/// Applies a verified provisioning bundle to this box: the configuration file,
/// the device key (sealed with systemd-creds where it can be), the TLS identity,
/// every secret the configuration names, the organisation with its mailboxes,
/// retention, sub-processors and API key, and the unit's drop-in. Everything is
/// checked before anything is written; a re-run keeps what exists and never
/// replaces a secret it was not told to replace.
public struct BundleProvisioner: Sendable {
    /// Where provisioning writes on this box.
    public struct Paths: Sendable, Hashable {
        public var configurationFile: String
        public var record: String
        /// `/etc/systemd/system/hushbox.service.d`.
        public var dropInDirectory: String

        public init(configurationFile: String, record: String, dropInDirectory: String) {
            self.configurationFile = configurationFile
            self.record = record
            self.dropInDirectory = dropInDirectory
        }

        public static func beside(configurationFile: String) -> Paths {
            Paths(
                configurationFile: configurationFile,
                record: PrivateFile.parentDirectory(of: configurationFile) + "/provisioning.json",
                dropInDirectory: "/etc/systemd/system/hushbox.service.d"
            )
        }
    }

    public enum DeviceKeyStorage: String, Sendable, CaseIterable {
        /// Sealed with systemd-creds when it works here, else a 0600 file.
        case auto
        case sealed
        case file
    }

    public struct Options: Sendable {
        public var deviceKeyStorage: DeviceKeyStorage = .auto
        /// Secrets the bundle may replace although the box already holds another value.
        public var replaceSecrets: Set<String> = []
        /// Accept a signer other than the one this box took its first bundle from.
        public var acceptNewSigner = false
        public var credentials = SystemdCredentials()

        public init() {}
    }

    public struct Outcome: Sendable {
        public var steps: [DeviceProvisioner.Step] = []
        public var tenantID: String?
        /// The API key's token, shown once.
        public var apiKeyToken: String?
        public var notes: [String] = []
    }

    public let paths: Paths
    public let options: Options
    public let logger: Logger

    public init(paths: Paths, options: Options, logger: Logger) {
        self.paths = paths
        self.options = options
        self.logger = logger
    }

    /// The configuration keys a bundle may not set: paths are the package's, and
    /// `device.provisioned` is provisioning's own.
    static func refusal(ofKey key: String) -> String? {
        guard let setting = ConfigurationSchema.setting(forKey: key) else {
            return "\(key) is not a configuration key (docs/configuration.md lists them)"
        }
        if setting.kind == .absolutePath { return "\(key) is a path on the box; a bundle cannot set paths" }
        if setting.key == ConfigurationSchema.deviceProvisioned.key { return "\(key) is set by provisioning itself" }
        return nil
    }

    /// Applies a bundle the customer signed; its secrets are sealed to this box.
    public func apply(_ bundle: ProvisioningBundle, environment: [String: String], now: Date) async throws -> Outcome {
        try await apply(bundle.contents, signer: bundle.signer, secrets: nil, environment: environment, now: now)
    }

    /// Applies what a technician answered at the terminal (`hushbox provision`
    /// with no bundle): the same checks and writes, with the secrets as typed.
    public func apply(answers contents: BundleContents, secrets: [String: String], environment: [String: String], now: Date) async throws -> Outcome {
        try await apply(contents, signer: nil, secrets: secrets, environment: environment, now: now)
    }

    /// - Parameters:
    ///   - signer: the verified signer of a bundle; nil for a technician's answers.
    ///   - secrets: secrets in clear (typed at the terminal); nil: the contents' sealed ones.
    private func apply(_ contents: BundleContents, signer: String?, secrets clearSecrets: [String: String]?, environment: [String: String], now: Date) async throws -> Outcome {
        var outcome = Outcome()
        var record = try ProvisioningRecord.read(paths.record)
        if let signer, let trusted = record.signer, trusted != signer, !options.acceptNewSigner {
            throw BundleError(
                "this box was provisioned with bundles from key \(SealedBundleSecrets.fingerprint(of: trusted)); this one is from \(SealedBundleSecrets.fingerprint(of: signer)). "
                    + "If the customer changed their key, run again with --new-signer")
        }
        // Only the newest bundle applied may be applied again: an older one, even one applied before, would roll the box back.
        if let newest = record.bundles.max(by: { $0.createdAt < $1.createdAt }), contents.createdAt < newest.createdAt {
            throw BundleError("this bundle is older than one this box already applied (\(newest.bundleID), \(newest.createdAt)); an old bundle cannot roll the box back. Ask for a new one")
        }
        for key in contents.configuration.keys.sorted() {
            if let refusal = Self.refusal(ofKey: key) { throw BundleError(refusal) }
        }
        for prefix in contents.lan where !Self.isAddressOrPrefix(prefix) {
            throw BundleError("lan: \(prefix) is not an IP address or prefix such as 192.168.1.0/24")
        }
        let mailboxes = try Self.checked(contents.mailboxes)
        let retention = try Self.checked(contents.retention)
        let subProcessors = try Self.checked(contents.subProcessors)

        // The configuration the bundle makes, checked by the daemon's own loader before anything is written.
        var file = try ConfigurationFileEditor(path: paths.configurationFile)
        for (key, value) in contents.configuration { file.set(key, value) }
        file.set(ConfigurationSchema.deviceProvisioned.key, .flag(true))
        let header = "Written by `hushbox provision` from bundle \(contents.bundleID) on \(ISO8601DateFormatter().string(from: now))."
        let candidate = paths.configurationFile + ".candidate"
        try? FileManager.default.removeItem(atPath: candidate)
        try AtomicFile.replace(candidate, contents: Array(try file.text(header: header).utf8), permissions: 0o600)
        defer { try? FileManager.default.removeItem(atPath: candidate) }
        var environment = environment
        environment.removeValue(forKey: "CREDENTIALS_DIRECTORY")
        let configuration: HushboxConfiguration
        do {
            configuration = try await ConfigurationLoader.load(.init(filePath: candidate, profile: .production, environment: environment)).configuration
        } catch {
            throw BundleError("the configuration this bundle makes would not load, so nothing was changed: \(error)")
        }

        // The secrets: what the configuration names, from the bundle or already on the box.
        let secretsDirectory = configuration.secrets.directory
        let named = Self.secretNames(of: configuration)
        var supplied = clearSecrets ?? [:]
        if clearSecrets == nil, let sealed = contents.secrets {
            supplied = try sealed.open(with: try BoxProvisioningKey.load(in: secretsDirectory), bundleID: contents.bundleID)
        }
        for name in supplied.keys.sorted() where !named.contains(name) {
            throw BundleError("the bundle carries the secret \(name), which its configuration does not use; ask the customer to correct the bundle")
        }
        var secretWrites: [(name: String, value: [UInt8], replace: Bool)] = []
        for name in named.sorted() {
            let path = secretsDirectory + "/" + name
            let existing = FileManager.default.contents(atPath: path).map(Array.init)
            guard let value = supplied[name] else {
                if existing == nil {
                    throw BundleError("the configuration names the secret \(name), which neither the bundle nor this box holds; ask the customer for a bundle made for this box with its secrets")
                }
                continue
            }
            let bytes = Array(value.utf8)
            if let existing, existing != bytes {
                guard options.replaceSecrets.contains(name) else {
                    throw BundleError("this box already holds a different \(name); run again with --replace-secret \(name) to replace it (the old value is then gone)")
                }
                secretWrites.append((name, bytes, true))
            } else if existing == nil {
                secretWrites.append((name, bytes, false))
            }
        }
        let sealing = try deviceKeySealing()
        let kekPath = secretsDirectory + "/" + SecretSetting.deviceKEK.fileName
        let kekSealed = FileStatus.of(kekPath) == nil && (FileStatus.of(kekPath + ".cred") != nil || sealing != nil)
        // The firewall's addresses are resolved now, before anything changes: a name that does not resolve stops here.
        let dropIn = try makeDropIn(configuration: configuration, lan: contents.lan, secretsDirectory: secretsDirectory, deviceKeySealed: kekSealed, origin: "bundle \(contents.bundleID)")

        // Root's part: the directories, the device key and the secrets.
        let provisioner = DeviceProvisioner(configuration: configuration, sealDeviceKey: sealing)
        outcome.steps = try provisioner.provisionKeys()
        if sealing == nil, options.deviceKeyStorage == .auto {
            outcome.notes.append("systemd-creds cannot seal here: the device key is a 0600 file")
        }
        for write in secretWrites {
            let path = secretsDirectory + "/" + write.name
            if write.replace {
                // The new value is in place before the old one is gone: a crash leaves one of them, never neither.
                let staged = path + ".replacing"
                try? FileManager.default.removeItem(atPath: staged)
                try PrivateFile.create(staged, contents: write.value)
                guard rename(staged, path) == 0 else { throw BundleError("cannot replace \(path): \(String(cString: strerror(errno)))") }
                try PrivateFile.syncDirectory(secretsDirectory)
            } else {
                try PrivateFile.create(path, contents: write.value)
            }
            outcome.steps.append(.init(item: "secret \(write.name)", path: path, outcome: write.replace ? .replaced : .created))
        }
        let kek = try DeviceKEK(bytes: try await SecretsDirectory(path: secretsDirectory).read(.deviceKEK))

        // The data's owner's part (hushbox on a packaged box): the TLS identity and the vault, never left root's.
        try ServiceAccount.adoptOwner(of: configuration.storage.dataDirectory)
        outcome.steps += try provisioner.provisionTLS(now: now)
        let vault = try Vault.open(directory: configuration.storage.dataDirectory, deviceKEK: kek, now: { now }, logger: logger)
        let actor = "provisioning:" + contents.bundleID
        var tenant: TenantVault?
        if let id = record.tenantID, try vault.tenantIDs().contains(id) {
            tenant = try vault.tenant(id)
        } else if let organisation = contents.organisation {
            let created = try vault.createTenant(name: organisation.name)
            try created.audit(AuditEvent(action: "tenant.created", actor: actor))
            record.tenantID = created.tenantID
            record.apiKeyID = nil
            // Remembered at once: a failure further on must not make a second organisation on the next run.
            try ServiceAccount.asAdministrator { try record.write(paths.record) }
            tenant = created
            outcome.steps.append(.init(item: "organisation", path: created.tenantID, outcome: .created))
        }
        if tenant == nil, !(mailboxes.isEmpty && retention.isEmpty && subProcessors.isEmpty && contents.apiKey == nil) {
            throw BundleError("the bundle sets mailboxes, retention, sub-processors or an API key but names no organisation, and this box has none from an earlier bundle")
        }
        if let tenant {
            outcome.tenantID = tenant.tenantID
            try applyMailboxes(mailboxes, to: tenant, actor: actor, outcome: &outcome)
            try applyRetention(retention, to: tenant, actor: actor)
            try applySubProcessors(subProcessors, to: tenant, actor: actor, outcome: &outcome)
            if let request = contents.apiKey, record.apiKeyID == nil {
                let key = try tenant.createAPIKey(label: request.label, actor: actor)
                record.apiKeyID = key.id
                try ServiceAccount.asAdministrator { try record.write(paths.record) }
                outcome.apiKeyToken = key.token
            }
        }
        try vault.checkpointAndTruncateWAL()

        // Root's again: the configuration and the drop-in go in place last, together.
        try ServiceAccount.asAdministrator {
            try file.write(header: header)
            _ = try PrivateFile.ensureDirectory(paths.dropInDirectory)
            chmod(paths.dropInDirectory, 0o755)
            try AtomicFile.replace(paths.dropInDirectory + "/" + ServiceDropIn.fileName, contents: Array(dropIn.text.utf8), permissions: 0o644)
            if let signer { record.signer = signer }
            record.bundles.removeAll { $0.bundleID == contents.bundleID }
            record.bundles.append(.init(bundleID: contents.bundleID, createdAt: contents.createdAt, appliedAt: now))
            try record.write(paths.record)
        }
        outcome.steps.append(.init(item: "configuration", path: paths.configurationFile, outcome: .written))
        outcome.steps.append(.init(item: "unit drop-in", path: paths.dropInDirectory + "/" + ServiceDropIn.fileName, outcome: .written))
        return outcome
    }

    /// The secret files a configuration names besides the device key.
    static func secretNames(of configuration: HushboxConfiguration) -> Set<String> {
        var names = Set(configuration.sip.peers.compactMap(\.passwordSecretName))
        names.formUnion(configuration.uplink.destinations.map(\.signingSecretName))
        if configuration.incidents.webhookURL != nil { names.insert(HushboxConfiguration.Incidents.webhookSecretName) }
        return names
    }

    private func deviceKeySealing() throws(BundleError) -> (@Sendable ([UInt8]) throws(BundleError) -> [UInt8])? {
        let credentials = options.credentials
        let seal: @Sendable ([UInt8]) throws(BundleError) -> [UInt8] = { key throws(BundleError) in
            try credentials.encrypt(key, name: SecretSetting.deviceKEK.fileName)
        }
        switch options.deviceKeyStorage {
        case .file: return nil
        case .sealed: return seal
        case .auto:
            // Sealing must round-trip here before the only copy of the key depends on it.
            let probe = Array("hushbox-probe".utf8)
            guard credentials.isAvailable, let sealed = try? credentials.encrypt(probe, name: "hushbox-probe"),
                (try? credentials.decrypt(sealed, name: "hushbox-probe")) == probe
            else { return nil }
            return seal
        }
    }

    private func applyMailboxes(_ mailboxes: [MailboxRequest], to tenant: TenantVault, actor: String, outcome: inout Outcome) throws {
        for requested in mailboxes {
            let existing = try requested.number.flatMap { try tenant.mailbox(number: $0) } ?? requested.sipUser.flatMap { try tenant.mailbox(sipUser: $0) }
            if let existing {
                outcome.steps.append(.init(item: "mailbox", path: existing.id, outcome: .kept))
                continue
            }
            var mailbox = Mailbox()
            mailbox.number = requested.number
            mailbox.sipUser = requested.sipUser
            mailbox.displayName = requested.name
            if let language = requested.language { mailbox.language = language }
            if let consent = requested.consent { mailbox.consentRequired = consent }
            try tenant.insert(mailbox)
            try tenant.audit(AuditEvent(action: "mailbox.created", actor: actor, details: ["mailbox_id": mailbox.id]))
            outcome.steps.append(.init(item: "mailbox", path: mailbox.id, outcome: .created))
        }
    }

    private func applyRetention(_ retention: [(RetentionCategory, Int)], to tenant: TenantVault, actor: String) throws {
        guard !retention.isEmpty else { return }
        var policy = RetentionPolicy(try tenant.retentionSettings())
        for (category, days) in retention {
            let before = policy[category]
            try policy.set(category, to: days)
            if before != days {
                try tenant.storeRetentionSettings(policy.stored)
                try tenant.audit(AuditEvent(action: "retention.set", actor: actor, details: ["kind": category.rawValue, "from_days": "\(before)", "to_days": "\(days)"]))
            }
        }
    }

    private func applySubProcessors(
        _ entries: [(entry: BundleContents.SubProcessor, notice: Date?)], to tenant: TenantVault, actor: String, outcome: inout Outcome
    ) throws {
        let registered = Set(try tenant.subProcessors().map(\.name))
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        for (entry, notice) in entries where !registered.contains(entry.name) {
            let made = try tenant.registerSubProcessor(name: entry.name, purpose: entry.purpose, region: entry.region, noticeGiven: notice, actor: actor)
            outcome.steps.append(.init(item: "sub-processor \(entry.name)", path: "live from \(formatter.string(from: made.goLiveAt))", outcome: .created))
        }
    }

    /// An IP address or prefix, as a peer's sources are written (``AddressRange``).
    public static func isAddressOrPrefix(_ text: String) -> Bool {
        (try? AddressRange(text)) != nil
    }

}
