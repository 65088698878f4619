public import Foundation
public import Logging
internal import PrivateFiles
internal import Privacy
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
        /// The account the service runs as; the data directory is given to it.
        public var serviceUser: String? = "hushbox"
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

    public func apply(_ bundle: ProvisioningBundle, environment: [String: String], now: Date) async throws -> Outcome {
        let contents = bundle.contents
        var outcome = Outcome()
        var record = try ProvisioningRecord.read(paths.record)
        if let signer = record.signer, signer != bundle.signer, !options.acceptNewSigner {
            throw BundleError(
                "this box was provisioned with bundles from key \(SealedBundleSecrets.fingerprint(of: signer)); this one is from \(SealedBundleSecrets.fingerprint(of: bundle.signer)). "
                    + "If the customer changed their key, run again with --new-signer")
        }
        if let newest = record.bundles.map(\.createdAt).max(), contents.createdAt < newest,
            !record.bundles.contains(where: { $0.bundleID == contents.bundleID })
        {
            throw BundleError("this bundle is older than one this box already applied (\(newest)); an old bundle cannot roll the box back. Ask for a new one")
        }
        for key in contents.configuration.keys.sorted() {
            if let refusal = Self.refusal(ofKey: key) { throw BundleError(refusal) }
        }
        for prefix in contents.lan where !Self.isAddressOrPrefix(prefix) {
            throw BundleError("lan: \(prefix) is not an IP address or prefix such as 192.168.1.0/24")
        }

        // The configuration the bundle makes, checked by the daemon's own loader before anything is written.
        var file = try ConfigurationFileEditor(path: paths.configurationFile)
        for (key, value) in contents.configuration { file.set(key, value) }
        file.set(ConfigurationSchema.deviceProvisioned.key, .flag(true))
        let header = "Written by `hushbox provision` from bundle \(contents.bundleID) on \(ISO8601DateFormatter().string(from: now))."
        let candidate = paths.configurationFile + ".candidate"
        try? FileManager.default.removeItem(atPath: candidate)
        guard FileManager.default.createFile(atPath: candidate, contents: Data(try file.text(header: header).utf8), attributes: [.posixPermissions: 0o600]) else {
            throw BundleError("cannot write \(candidate)")
        }
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
        var supplied: [String: String] = [:]
        if let sealed = contents.secrets {
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

        // Device key, TLS identity and directories.
        let sealing = try deviceKeySealing()
        outcome.steps = try DeviceProvisioner(configuration: configuration, sealDeviceKey: sealing).provision(now: now)
        if sealing == nil, options.deviceKeyStorage == .auto {
            outcome.notes.append("systemd-creds cannot seal here: the device key is a 0600 file")
        }
        for write in secretWrites {
            let path = secretsDirectory + "/" + write.name
            if write.replace { try FileManager.default.removeItem(atPath: path) }
            try PrivateFile.create(path, contents: write.value)
            outcome.steps.append(.init(item: "secret \(write.name)", path: path, outcome: write.replace ? .replaced : .created))
        }

        // The organisation and what it keeps.
        let secrets = try SecretsDirectory(path: secretsDirectory)
        let kek = try DeviceKEK(bytes: try await secrets.read(.deviceKEK))
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
            tenant = created
            outcome.steps.append(.init(item: "organisation", path: created.tenantID, outcome: .created))
        }
        if tenant == nil, !(contents.mailboxes.isEmpty && contents.retention.isEmpty && contents.subProcessors.isEmpty && contents.apiKey == nil) {
            throw BundleError("the bundle sets mailboxes, retention, sub-processors or an API key but names no organisation, and this box has none from an earlier bundle")
        }
        if let tenant {
            outcome.tenantID = tenant.tenantID
            try applyMailboxes(contents.mailboxes, to: tenant, actor: actor, outcome: &outcome)
            try applyRetention(contents.retention, to: tenant, actor: actor)
            try applySubProcessors(contents.subProcessors, to: tenant, configuration: configuration, actor: actor, outcome: &outcome)
            if let request = contents.apiKey, record.apiKeyID == nil {
                let key = try tenant.createAPIKey(label: request.label, actor: actor)
                record.apiKeyID = key.id
                outcome.apiKeyToken = key.token
            }
        }
        try vault.checkpointAndTruncateWAL()

        // The service's account owns its data; the configuration and the drop-in go in place last.
        if let user = options.serviceUser { try Self.give(configuration.storage.dataDirectory, to: user, outcome: &outcome) }
        try file.write(header: header)
        outcome.steps.append(.init(item: "configuration", path: paths.configurationFile, outcome: .written))
        let dropIn = try makeDropIn(configuration: configuration, lan: contents.lan, secretsDirectory: secretsDirectory, origin: "bundle \(contents.bundleID)")
        _ = try PrivateFile.ensureDirectory(paths.dropInDirectory)
        chmod(paths.dropInDirectory, 0o755)
        let dropInPath = paths.dropInDirectory + "/" + ServiceDropIn.fileName
        let temporary = dropInPath + ".provisioning"
        try? FileManager.default.removeItem(atPath: temporary)
        guard FileManager.default.createFile(atPath: temporary, contents: Data(dropIn.text.utf8), attributes: [.posixPermissions: 0o644]),
            rename(temporary, dropInPath) == 0
        else { throw BundleError("cannot write \(dropInPath)") }
        outcome.steps.append(.init(item: "unit drop-in", path: dropInPath, outcome: .written))

        record.signer = bundle.signer
        record.bundles.removeAll { $0.bundleID == contents.bundleID }
        record.bundles.append(.init(bundleID: contents.bundleID, createdAt: contents.createdAt, appliedAt: now))
        try record.write(paths.record)
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

    private func applyMailboxes(_ mailboxes: [BundleContents.Mailbox], to tenant: TenantVault, actor: String, outcome: inout Outcome) throws {
        for requested in mailboxes {
            guard requested.sipUser != nil || requested.number != nil else {
                throw BundleError("a mailbox in the bundle has neither sip_user nor number; one of them reaches it")
            }
            let number = try requested.number.map { text in
                do { return try PhoneNumber(text) } catch { throw BundleError("mailbox number \(text.prefix(3))…: \(error)") }
            }
            if let language = requested.language, PromptLanguage(code: language) == nil {
                throw BundleError("mailbox language \(language): Hushbox speaks \(PromptLanguage.codes)")
            }
            let existing = try number.flatMap { try tenant.mailbox(number: $0) } ?? requested.sipUser.flatMap { try tenant.mailbox(sipUser: $0) }
            if let existing {
                outcome.steps.append(.init(item: "mailbox", path: existing.id, outcome: .kept))
                continue
            }
            var mailbox = Mailbox()
            mailbox.number = number
            mailbox.sipUser = requested.sipUser
            mailbox.displayName = requested.name
            if let language = requested.language { mailbox.language = language.lowercased() }
            if let consent = requested.consent { mailbox.consentRequired = consent }
            try tenant.insert(mailbox)
            try tenant.audit(AuditEvent(action: "mailbox.created", actor: actor, details: ["mailbox_id": mailbox.id]))
            outcome.steps.append(.init(item: "mailbox", path: mailbox.id, outcome: .created))
        }
    }

    private func applyRetention(_ retention: [String: Int], to tenant: TenantVault, actor: String) throws {
        guard !retention.isEmpty else { return }
        var policy = RetentionPolicy(try tenant.retentionSettings())
        for (kind, days) in retention.sorted(by: { $0.key < $1.key }) {
            guard let category = RetentionCategory(rawValue: kind) else {
                throw BundleError("retention: \(kind) is not a kind of data the box keeps; one of \(RetentionCategory.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let before = policy[category]
            do { try policy.set(category, to: days) } catch { throw BundleError("retention: \(error)") }
            if before != days {
                try tenant.storeRetentionSettings(policy.stored)
                try tenant.audit(AuditEvent(action: "retention.set", actor: actor, details: ["kind": kind, "from_days": "\(before)", "to_days": "\(days)"]))
            }
        }
    }

    private func applySubProcessors(
        _ entries: [BundleContents.SubProcessor], to tenant: TenantVault, configuration: HushboxConfiguration, actor: String, outcome: inout Outcome
    ) throws {
        let registered = Set(try tenant.subProcessors().map(\.name))
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        for entry in entries where !registered.contains(entry.name) {
            let notice = try entry.noticeGiven.map { text in
                guard let date = formatter.date(from: text) else { throw BundleError("sub_processors: \(text) is not a date: write YYYY-MM-DD") }
                return date
            }
            let made = try tenant.registerSubProcessor(name: entry.name, purpose: entry.purpose, region: entry.region, noticeGiven: notice, actor: actor)
            outcome.steps.append(.init(item: "sub-processor \(entry.name)", path: "live from \(formatter.string(from: made.goLiveAt))", outcome: .created))
        }
    }

    func makeDropIn(configuration: HushboxConfiguration, lan: [String], secretsDirectory: String, origin: String) throws(BundleError) -> ServiceDropIn {
        let kekPath = secretsDirectory + "/" + SecretSetting.deviceKEK.fileName
        var credentials: [ServiceDropIn.Credential] = [
            FileStatus.of(kekPath) != nil
                ? .file(name: SecretSetting.deviceKEK.fileName, path: kekPath)
                : .encrypted(name: SecretSetting.deviceKEK.fileName, path: kekPath + ".cred")
        ]
        for name in Self.secretNames(of: configuration).sorted() {
            credentials.append(.file(name: name, path: secretsDirectory + "/" + name))
        }
        var addresses = lan
        for peer in configuration.sip.peers {
            addresses += peer.sources
            if let registrar = peer.registration?.registrar, let host = AddressLookup.host(ofURL: registrar) {
                addresses += try AddressLookup.addresses(of: host)
            }
        }
        for destination in configuration.uplink.destinations {
            guard let host = AddressLookup.host(ofURL: destination.url) else { continue }
            addresses += try AddressLookup.addresses(of: host)
        }
        if let webhook = configuration.incidents.webhookURL, let host = AddressLookup.host(ofURL: webhook) {
            addresses += try AddressLookup.addresses(of: host)
        }
        addresses += configuration.sip.dnsServer.map { [$0.address] } ?? AddressLookup.systemNameServers()
        var groups: [String] = []
        if let line = configuration.line, case .gpio = line.control, getgrnam("gpio") != nil { groups.append("gpio") }
        return ServiceDropIn(credentials: credentials, allowedAddresses: addresses, privateDevices: configuration.line == nil, extraGroups: groups, origin: origin)
    }

    static func isAddressOrPrefix(_ text: String) -> Bool {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2 else { return false }
        var v4 = in_addr(), v6 = in6_addr()
        let address = String(parts[0])
        let isV4 = inet_pton(AF_INET, address, &v4) == 1
        let isV6 = !isV4 && inet_pton(AF_INET6, address, &v6) == 1
        guard isV4 || isV6 else { return false }
        guard parts.count == 2 else { return true }
        guard let length = Int(parts[1]) else { return false }
        return (0...(isV4 ? 32 : 128)).contains(length)
    }

    /// Gives the data directory and everything in it to the service's account:
    /// provisioning runs as root, the daemon as `hushbox`.
    private static func give(_ directory: String, to user: String, outcome: inout Outcome) throws {
        guard getuid() == 0, let account = getpwnam(user) else { return }
        let uid = account.pointee.pw_uid, gid = account.pointee.pw_gid
        var paths = [directory]
        if let enumerator = FileManager.default.enumerator(atPath: directory) {
            while let relative = enumerator.nextObject() as? String { paths.append(directory + "/" + relative) }
        }
        for path in paths where lchown(path, uid, gid) != 0 {
            throw BundleError("cannot give \(path) to \(user): \(String(cString: strerror(errno)))")
        }
        outcome.steps.append(.init(item: "data directory owner", path: directory, outcome: .written))
    }
}
