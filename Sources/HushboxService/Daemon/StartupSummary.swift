public import Foundation
internal import Logging
internal import Vault

/// The few lines the daemon prints once it is ready: what runs, where it can be
/// reached and where the data lives. No secrets, only paths and fingerprints.
public enum StartupSummary {
    /// What the summary says of the TLS certificate's expiry: its day (UTC), and what to do when it is near or past.
    public static func certificateValidity(notValidAfter: Date, daysLeft: Int) -> String {
        // FoundationEssentials' format style, not ISO8601DateFormatter: that one loads ICU's
        // date-format and number-format data (about 2 MiB resident, for the daemon's whole life).
        let expiry = notValidAfter.formatted(Date.ISO8601FormatStyle(timeZone: .gmt).year().month().day())
        if daysLeft < 0 { return "EXPIRED on \(expiry): replace it" }
        return daysLeft < 30 ? "expires \(expiry), in \(daysLeft) days: renew it" : "valid until \(expiry)"
    }

    public static func render(
        configuration: HushboxConfiguration,
        profile: ConfigurationProfile,
        checks: StartupChecks,
        components: [ReadinessBoard.Component],
        demo: DemoBox? = nil,
        now: Date
    ) -> String {
        let identity = checks.tlsIdentity
        var lines = [
            "hushboxd \(HushboxVersion.current) is running as \"\(configuration.device.name)\""
                + (profile.isDevelopment ? " on the development configuration" : ""),
            row("data directory", configuration.storage.dataDirectory + " (0700)"),
            row("device key", checks.deviceKeyPath + " (0600)"),
            row("database", checks.vault.databasePath + " (sealed columns, WAL)"),
            row("TLS certificate", identity.certificatePath),
            row("", "SHA-256 " + identity.fingerprint),
            row("", certificateValidity(notValidAfter: identity.notValidAfter, daysLeft: identity.daysLeft(at: now))),
        ]
        for component in components {
            switch component.name {
            case OpsEndpoint.componentName:
                lines.append(row("operations", component.detail + "/healthz and /metrics"))
            case SIPService.componentName:
                lines.append(row("SIP", component.detail))
                let peers = configuration.sip.peers
                lines.append(row("", peers.isEmpty
                    ? "no peers configured: every call is refused (add sip.peers, docs/configuration.md)"
                    : "peers: " + peers.map { "\($0.name) (\($0.kind.rawValue)\($0.plaintext ? ", plaintext allowed" : ", TLS+SRTP"))" }.joined(separator: ", ")))
            case AdminEndpoint.componentName:
                lines.append(row("admin console", component.detail + "/ (API: /api/v1, docs/admin.md)"))
            case AdminEndpoint.redirectComponentName:
                lines.append(row("", component.detail + " redirects there"))
            case DemoBox.componentName:
                break
            default:
                lines.append(row(component.name, component.detail))
            }
        }
        for destination in configuration.uplink.destinations {
            lines.append(row("uplink", "\(destination.name): \(destination.url) (hosted in \(destination.region), "
                + (destination.publicKey == nil ? "TLS only" : "sealed to the customer's key") + ")"))
        }
        lines.append(row("incidents", "unnotified ones alerted every 30 min to the log and /metrics"
            + (configuration.incidents.webhookURL.flatMap { URL(string: $0)?.host }.map { " and the webhook at \($0)" } ?? "")))
        if !configuration.sip.enabled {
            lines.append(row("SIP", "disabled (sip.enabled: false)"))
        }
        if !configuration.admin.enabled {
            lines.append(row("admin console", "disabled (admin.enabled: false)"))
        }
        if !configuration.ops.enabled {
            lines.append(row("operations", "disabled (ops.enabled: false)"))
        }
        lines.append(row("log level", configuration.log.level.rawValue + " (to standard error)"))
        lines.append("Stop with Ctrl-C or SIGTERM.")
        if let demo, let uri = components.first(where: { $0.name == DemoBox.componentName })?.detail, !uri.isEmpty {
            lines.append(demo.walkThrough(uri: uri))
        }
        return lines.joined(separator: "\n")
    }

    /// The one-line status systemd shows.
    public static func status(components: [ReadinessBoard.Component]) -> String {
        components.isEmpty ? "Ready" : "Ready: " + components.map { "\($0.name) \($0.detail)" }.joined(separator: ", ")
    }

    private static func row(_ label: String, _ value: String) -> String {
        "  " + label.padding(toLength: 17, withPad: " ", startingAt: 0) + value
    }
}
