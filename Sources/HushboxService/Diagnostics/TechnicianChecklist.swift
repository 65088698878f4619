public import Foundation
public import Logging
internal import AsyncHTTPClient
internal import NIOCore
internal import NIOHTTP1
internal import PrivateFiles
internal import Uplink
internal import Vault
internal import Voicemail

/// `hushbox selftest`: everything a technician checks before leaving a box,
/// each a pass or a failure with what to do. A box with a wrong clock fails
/// TLS and runs the 03:00 purge at the wrong time, so the clock comes first
/// after the configuration.
public struct TechnicianChecklist: Sendable {
    public struct Check: Sendable, Hashable, Codable {
        public var name: String
        public var passed: Bool
        /// What was found.
        public var detail: String
        /// What to do, when it failed.
        public var remedy: String?
    }

    public let configuration: HushboxConfiguration
    public let logger: Logger
    /// Where hushboxd's /metrics is read for the trunks' registrations.
    public var metricsURL: String?

    public init(configuration: HushboxConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        if configuration.ops.enabled {
            let host = configuration.ops.address.contains(":") ? "[\(configuration.ops.address)]" : configuration.ops.address
            metricsURL = "http://\(host == "0.0.0.0" ? "127.0.0.1" : host):\(configuration.ops.port)/metrics"
        }
    }

    public func run(now: Date, line loopback: Bool) async -> [Check] {
        var checks: [Check] = []
        func add(_ name: String, _ passed: Bool, _ detail: String, remedy: String? = nil) {
            checks.append(Check(name: name, passed: passed, detail: detail, remedy: passed ? nil : remedy))
        }
        add("configuration", configuration.device.provisioned, configuration.device.provisioned ? "\(configuration.device.name), provisioned" : "not provisioned yet",
            remedy: "hushbox provision --bundle FILE --signer KEY")
        let clock = ClockState.now()
        add("clock", clock.synchronised && clock.plausible(now), clock.description(now),
            remedy: "the clock must be synchronised before TLS and the daily purge can be trusted: check the network and `timedatectl` (systemd-timesyncd)")
        checks.append(disk())

        let startup: StartupChecks
        do {
            startup = try await StartupChecks.run(configuration, logger: logger)
        } catch {
            add("start-up checks", false, error.description, remedy: "fix what it names, then run selftest again")
            return checks
        }
        add("database", true, "\(startup.vault.databasePath): integrity ok")
        add("device key", true, "\(startup.deviceKeyPath): present, matches the vault's check value")
        let daysLeft = startup.tlsIdentity.daysLeft(at: now)
        add("TLS certificate", daysLeft >= 14, "SHA-256 \(startup.tlsIdentity.fingerprint), \(daysLeft) days left",
            remedy: daysLeft < 0 ? "it expired: replace it (remove the pair and run `hushbox provision init` for a new self-signed one)" : "renew it within \(daysLeft) days")
        do {
            _ = try PromptLibrary(directory: configuration.storage.promptsDirectory)
            add("prompts", true, "every language and the beep in \(configuration.storage.promptsDirectory)")
        } catch {
            add("prompts", false, "\(error)", remedy: "reinstall the package (apt-get install --reinstall hushbox) or restore the files")
        }
        checks += await registrations()
        checks += await uplinks(startup.uplink, vault: startup.vault, now: now)
        if let line = configuration.line {
            for check in LineSelftest.run(line, loopback: loopback) {
                add(check.name, check.passed, check.detail, remedy: "docs/line.md, \"When the selftest fails\"")
            }
        }
        for library in NativeLibraries.check() {
            add(library.library, library.problem == nil, library.problem ?? library.version ?? "", remedy: "reinstall the package: its Depends bring the library")
        }
        return checks
    }

    /// The same measurement and rule the daemon refuses recordings by (``LocalStoreQuota``).
    private func disk() -> Check {
        let data = configuration.storage.dataDirectory
        let measurement = LocalStoreQuota.Measurement(
            usedBytes: LocalStoreQuota.bytesUsed(under: data), freeBytes: LocalStoreQuota.statvfsFree(data),
            quotaBytes: configuration.storage.quotaBytes, reserveBytes: LocalStoreQuota.defaultReserve
        )
        guard let free = measurement.freeBytes else {
            return Check(name: "disk", passed: false, detail: "\(data): the free space cannot be read", remedy: "provision the box, or check the data directory")
        }
        var detail = "\(LocalStoreQuota.Measurement.mebibytes(free)) free"
        if let quota = measurement.quotaBytes {
            detail += ", \(LocalStoreQuota.Measurement.mebibytes(measurement.usedBytes)) used of the \(LocalStoreQuota.Measurement.mebibytes(quota)) quota"
        }
        return Check(
            name: "disk", passed: measurement.fullBecause == nil, detail: measurement.fullBecause ?? detail,
            remedy: "callers hear \"mailbox full\": export and delete messages, shorten retention, or raise storage.quota on a bigger card")
    }

    /// Each trunk's registration, as the running hushboxd reports it.
    private func registrations() async -> [Check] {
        let trunks = configuration.sip.enabled ? configuration.sip.peers.filter { $0.registration != nil }.map(\.name) : []
        guard !trunks.isEmpty else { return [] }
        let remedy = "check the trunk's user name, password (sip-peer-<name>) and registrar, and the log (journalctl -u hushbox)"
        guard let metricsURL, let scraped = await Self.fetch(metricsURL) else {
            return trunks.map {
                Check(name: "trunk \($0)", passed: false, detail: "hushboxd's metrics cannot be read (\(metricsURL ?? "ops.enabled is false"))",
                      remedy: "start hushboxd (systemctl start hushbox) with ops.enabled, then run selftest again")
            }
        }
        return trunks.map { name in
            let registered = scraped.contains("\(RegistrationMetrics.label){peer=\"\(name)\"} 1")
            return Check(name: "trunk \(name)", passed: registered, detail: registered ? "registered" : "not registered", remedy: remedy)
        }
    }

    private func uplinks(_ setups: [UplinkSetup], vault: Vault, now: Date) async -> [Check] {
        var checks: [Check] = []
        let residency = ResidencyPolicy(rawValue: configuration.uplink.residency)
        for setup in setups {
            let destination = setup.destination
            let name = "uplink \(destination.name)"
            let client = UplinkClient(baseURL: destination.url, signature: setup.signature, tls: setup.tls, timeout: .seconds(10), now: { Int64(now.timeIntervalSince1970) })
            let unreachable = await client.reachability()
            try? await client.shutdown()
            let trust = destination.pinSHA256.map { "pinned anchor \($0.prefix(16))…" } ?? (destination.caFile == nil ? "the system's CAs" : "its CA file")
            checks.append(Check(
                name: name, passed: unreachable == nil,
                detail: unreachable.map { "\(destination.url): \($0)" } ?? "\(destination.url) answers over TLS, checked against \(trust)",
                remedy: "check the box's network and firewall (the drop-in's IPAddressAllow), the receiver, and its certificate against ca_file and pin_sha256"))
            let region = (try? DataRegion(destination.region))
            let allowed = region.map { residency?.refusal(of: destination.name, in: $0) == nil } ?? false
            var held: [String] = []
            for id in (try? vault.tenantIDs()) ?? [] {
                guard let tenant = try? vault.tenant(id) else { continue }
                if let refusal = SubProcessorGate.refusal(of: destination, registered: try? tenant.subProcessor(named: destination.name), at: now) {
                    held.append("\(id): \(refusal)")
                }
            }
            checks.append(Check(
                name: "\(name) residency", passed: allowed && held.isEmpty,
                detail: allowed ? (held.isEmpty ? "hosted in \(destination.region), allowed by uplink.residency \(configuration.uplink.residency), "
                    + (destination.operatedByCustomer ? "the customer's own receiver" : "live for every organisation") : held.joined(separator: "; "))
                    : "\(destination.region) is not allowed by uplink.residency \(configuration.uplink.residency)",
                remedy: held.isEmpty ? "correct the destination's region" : "messages wait until the sub-processor is live: see `hushbox subprocessor list`"))
        }
        return checks
    }

    private static func fetch(_ url: String) async -> String? {
        do {
            let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(5))
            guard response.status == .ok else { return nil }
            let body = try await response.body.collect(upTo: 4 * 1024 * 1024)
            return String(buffer: body)
        } catch {
            return nil
        }
    }
}
