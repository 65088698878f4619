/// The provisioning drop-in for `hushbox.service`
/// (`/etc/systemd/system/hushbox.service.d/provisioning.conf`): what the
/// packaged unit cannot know until a box is provisioned. Each secret the
/// configuration names is loaded as a credential; the service may reach only
/// its peers, its uplink receivers, its name servers and the customer's LAN;
/// devices are closed altogether on a box without a telephone line.
public struct ServiceDropIn: Sendable, Hashable {
    public enum Credential: Sendable, Hashable {
        /// `LoadCredential=name:path` (a 0600 file).
        case file(name: String, path: String)
        /// `LoadCredentialEncrypted=name:path` (sealed with `systemd-creds encrypt`).
        case encrypted(name: String, path: String)
    }

    public var credentials: [Credential]
    /// Addresses and prefixes for `IPAddressAllow=`, besides localhost.
    public var allowedAddresses: [String]
    /// True when no line is configured: `PrivateDevices=yes`.
    public var privateDevices: Bool
    /// Groups added to the packaged `SupplementaryGroups=audio`, such as `gpio`.
    public var extraGroups: [String]
    /// Written into the file's first line, so a technician sees where it came from.
    public var origin: String

    public init(credentials: [Credential], allowedAddresses: [String], privateDevices: Bool, extraGroups: [String], origin: String) {
        self.credentials = credentials
        self.allowedAddresses = allowedAddresses
        self.privateDevices = privateDevices
        self.extraGroups = extraGroups
        self.origin = origin
    }

    public static let fileName = "provisioning.conf"

    public var text: String {
        // Nothing but printable text reaches the unit: a line break in it would be a directive of its own.
        let origin = String(origin.filter { $0.isASCII && !$0.isNewline && ($0.asciiValue ?? 0) >= 0x20 })
        var lines = [
            "# Written by `hushbox provision` (\(origin)). Run it again to change this file: edits here are replaced.",
            "[Service]",
            "# Every secret the configuration names, as systemd credentials ($CREDENTIALS_DIRECTORY).",
        ]
        for credential in credentials {
            switch credential {
            case .file(let name, let path): lines.append("LoadCredential=\(name):\(path)")
            case .encrypted(let name, let path): lines.append("LoadCredentialEncrypted=\(name):\(path)")
            }
        }
        lines += [
            "# The network: nothing but localhost, the SIP peers, the uplink receivers, the name servers and the LAN.",
            "IPAddressDeny=any",
            "IPAddressAllow=localhost",
        ]
        for address in Self.unique(allowedAddresses) {
            lines.append("IPAddressAllow=\(address)")
        }
        if privateDevices {
            lines += ["# No telephone line is configured: no devices at all.", "PrivateDevices=yes"]
        }
        if !extraGroups.isEmpty {
            lines += ["# The line board's GPIO chip belongs to this group.", "SupplementaryGroups=" + Self.unique(extraGroups).joined(separator: " ")]
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func unique(_ values: [String]) -> [String] {
        var seen = Set<String>()
        return values.filter { seen.insert($0).inserted }
    }
}
