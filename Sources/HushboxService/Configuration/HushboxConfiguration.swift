public import Logging

/// The daemon's configuration as typed values, built once at start by
/// ``ConfigurationLoader`` and never read from files or the environment again.
public struct HushboxConfiguration: Sendable, Hashable {
    public struct Device: Sendable, Hashable {
        public var name: String
        /// False until `hushbox provision` has run on a packaged box (`device.provisioned`).
        public var provisioned: Bool

        public init(name: String, provisioned: Bool = true) {
            self.name = name
            self.provisioned = provisioned
        }
    }

    public struct Storage: Sendable, Hashable {
        public var dataDirectory: String
        public var promptsDirectory: String
        /// The most the data directory may hold; nil: as much as the disk allows.
        public var quotaBytes: Int64?

        public init(dataDirectory: String, promptsDirectory: String, quotaBytes: Int64? = nil) {
            self.dataDirectory = dataDirectory
            self.promptsDirectory = promptsDirectory
            self.quotaBytes = quotaBytes
        }
    }

    public struct Secrets: Sendable, Hashable {
        public var directory: String

        public init(directory: String) {
            self.directory = directory
        }
    }

    public struct Log: Sendable, Hashable {
        public var level: Logger.Level

        public init(level: Logger.Level) {
            self.level = level
        }
    }

    public struct TLS: Sendable, Hashable {
        public var certificatePath: String
        public var privateKeyPath: String

        public init(certificatePath: String, privateKeyPath: String) {
            self.certificatePath = certificatePath
            self.privateKeyPath = privateKeyPath
        }
    }

    /// The operations endpoint: health and Prometheus metrics.
    public struct Ops: Sendable, Hashable {
        public var enabled: Bool
        public var address: String
        public var port: Int

        public init(enabled: Bool, address: String, port: Int) {
            self.enabled = enabled
            self.address = address
            self.port = port
        }
    }

    /// The admin API and web console (docs/admin.md).
    public struct Admin: Sendable, Hashable {
        public var enabled: Bool
        public var address: String
        public var port: Int
        /// A plain-HTTP port that only redirects to HTTPS; nil: none.
        public var redirectPort: Int?

        public init(enabled: Bool, address: String, port: Int, redirectPort: Int? = nil) {
            self.enabled = enabled
            self.address = address
            self.port = port
            self.redirectPort = redirectPort
        }
    }

    public struct Shutdown: Sendable, Hashable {
        public var gracePeriod: Duration

        public init(gracePeriod: Duration) {
            self.gracePeriod = gracePeriod
        }
    }

    /// A trunk or device from `sip.peers.<name>`.
    public struct Peer: Sendable, Hashable {
        public enum Kind: String, Sendable, Hashable {
            case trunk, device
        }

        public struct Registration: Sendable, Hashable {
            public var registrar: String
            public var username: String
            public var transport: String
            public var expiresSeconds: Int
            /// The mailbox (SIP user or number) calls to this registration reach; nil: the user name as dialled.
            public var mailbox: String?
            /// PEM CA certificates the registrar's certificate must chain to; nil: the system's.
            public var caFile: String?
        }

        public var name: String
        public var kind: Kind
        public var sources: [String]
        public var plaintext: Bool
        public var digestUsername: String?
        public var registration: Registration?
        /// `route_by`, in order (``ConfigurationSchema/peerRouteBy``).
        public var routeBy: [String] = ["history-info", "diversion", "request-uri"]
        /// `numbers` (``ConfigurationSchema/peerNumbers``).
        public var numbers: String = "international-prefix"
        /// `country`: ISO 3166-1 alpha-2, upper case.
        public var country: String?
        public var assertsIdentity = false
        /// The only organisation whose mailboxes the peer's calls reach; nil: any.
        public var organisation: String?

        /// The secret file holding this peer's password, when it needs one.
        public var passwordSecretName: String? {
            digestUsername != nil || registration != nil ? "sip-peer-" + name : nil
        }
    }

    /// A name server's IPv4 address and port.
    public struct NameServer: Sendable, Hashable {
        public var address: String
        public var port: Int
    }

    public struct SIP: Sendable, Hashable {
        public var enabled: Bool
        public var address: String
        public var advertisedAddress: String
        public var udpPort: Int
        public var tcpPort: Int
        public var tlsPort: Int
        public var maximumCallDuration: Duration
        /// `drop` or `refuse` (``ConfigurationSchema/sipUnknownSources``).
        public var unknownSources: String
        public var maxConnections: Int
        public var maxConnectionsPerAddress: Int
        /// The name server for registrars' SRV/NAPTR lookups; nil: the system's.
        public var dnsServer: NameServer?
        public var mediaPorts: ClosedRange<Int>
        public var clientCAPath: String?
        public var peers: [Peer]
    }

    /// A receiver from `uplink.destinations.<name>`.
    public struct Destination: Sendable, Hashable {
        public var name: String
        public var url: String
        /// The country hosting it.
        public var region: String
        /// Base64 X25519 key payloads are sealed to, when the customer published one.
        public var publicKey: String?
        public var pinSHA256: String?
        /// PEM roots for a receiver with a private CA; nil: the system's.
        public var caFile: String?
        public var maxConcurrentUploads: Int
        /// The customer runs this receiver themselves (`operated_by: customer`):
        /// it is their own system, not a sub-processor, so it needs no register entry.
        public var operatedByCustomer = false

        public init(
            name: String, url: String, region: String, publicKey: String? = nil, pinSHA256: String? = nil, caFile: String? = nil, maxConcurrentUploads: Int = 2,
            operatedByCustomer: Bool = false
        ) {
            self.operatedByCustomer = operatedByCustomer
            self.name = name
            self.url = url
            self.region = region
            self.publicKey = publicKey
            self.pinSHA256 = pinSHA256
            self.caFile = caFile
            self.maxConcurrentUploads = maxConcurrentUploads
        }

        /// The secret file holding the signing secret shared with this receiver.
        public var signingSecretName: String { "uplink-" + name }
    }

    public struct Uplink: Sendable, Hashable {
        /// `eu` or `any` (`uplink.residency`).
        public var residency: String
        public var destinations: [Destination]
    }

    /// Where incident alerts go besides the log and the metrics.
    public struct Incidents: Sendable, Hashable {
        public var webhookURL: String?
        /// PEM roots for a receiver with a private CA; nil: the system's.
        public var webhookCAFile: String?

        public init(webhookURL: String? = nil, webhookCAFile: String? = nil) {
            self.webhookURL = webhookURL
            self.webhookCAFile = webhookCAFile
        }

        /// The secret file holding the webhook's signing secret.
        public static let webhookSecretName = "incident-webhook"
    }

    public var device: Device
    public var storage: Storage
    public var secrets: Secrets
    public var log: Log
    public var tls: TLS
    public var ops: Ops
    public var admin: Admin = Admin(enabled: false, address: "127.0.0.1", port: 8443)
    public var shutdown: Shutdown
    public var sip: SIP
    public var uplink: Uplink
    public var incidents: Incidents
    /// The telephone line, when `line.enabled` (docs/line.md).
    public var line: Line? = nil
}
