internal import Voicemail

/// Every key Hushbox's configuration accepts. A key not listed here is refused
/// when the configuration loads, so a typo never silently falls back to a default.
/// docs/configuration.md documents each of these; a test keeps the two in step.
public enum ConfigurationSchema {
    public static let deviceName = ConfigurationSetting(
        "device.name", .deviceName, default: .text("hushbox"),
        summary: "The box's name: shown in logs and the start-up summary, and the common name of its self-signed TLS certificate."
    )
    public static let deviceProvisioned = ConfigurationSetting(
        "device.provisioned", .boolean, default: .boolean(true),
        summary: "false in the file the Debian package installs, until `hushbox provision` has run: hushboxd then refuses to start (exit 78) and names the command to run."
    )
    public static let dataDirectory = ConfigurationSetting(
        "storage.data_directory", .absolutePath, default: .text("/var/lib/hushbox"),
        summary: "Where the database, sealed audio objects and the device's TLS files live. Kept at mode 0700."
    )
    public static let promptsDirectory = ConfigurationSetting(
        "storage.prompts_directory", .absolutePath, default: .text("/usr/share/hushbox/prompts"),
        summary: "The caller prompts: `<language>/<name>.opus` and `beep.opus`, rendered by scripts/render-prompts.sh; any file may be replaced by an Ogg Opus recording."
    )
    public static let storageQuota = ConfigurationSetting(
        "storage.quota", .byteSize, default: .derived("none: the disk's free space, less a 64 MiB reserve"),
        summary: "The most the data directory may hold. At the quota, or when the disk has less than 64 MiB free, callers hear the mailbox-full prompt and nothing new is recorded; nothing already stored or queued is dropped."
    )
    public static let secretsDirectory = ConfigurationSetting(
        "secrets.directory", .absolutePath,
        default: .derived("`$CREDENTIALS_DIRECTORY` when systemd provides credentials, else `/etc/hushbox/credentials`"),
        summary: "The directory holding secrets, one file each (see Secrets below). Never in the YAML file or the environment."
    )
    public static let logLevel = ConfigurationSetting(
        "log.level", .choice(["trace", "debug", "info", "notice", "warning", "error", "critical"]), default: .text("info"),
        summary: "The least severe log level written. Phone numbers, e-mail addresses, SIP user parts and bearer tokens are masked at every level."
    )
    public static let tlsCertificate = ConfigurationSetting(
        "tls.certificate", .absolutePath, default: .derived("`<storage.data_directory>/tls/certificate.pem`"),
        summary: "The device's TLS certificate (PEM), presented by its TLS listeners."
    )
    public static let tlsPrivateKey = ConfigurationSetting(
        "tls.private_key", .absolutePath, default: .derived("`<storage.data_directory>/tls/private-key.pem`"),
        summary: "The private key (PEM) of `tls.certificate`. Must be readable by its owner only."
    )
    public static let opsEnabled = ConfigurationSetting(
        "ops.enabled", .boolean, default: .boolean(true),
        summary: "Serve the operations endpoint: `GET /healthz` and Prometheus `GET /metrics` over plain HTTP."
    )
    public static let opsAddress = ConfigurationSetting(
        "ops.address", .ipAddress, default: .text("127.0.0.1"),
        summary: "The address the operations endpoint listens on. It carries no personal data, but keep it on loopback or a management network."
    )
    public static let opsPort = ConfigurationSetting(
        "ops.port", .integer(0...65535), default: .integer(9464),
        summary: "The TCP port of the operations endpoint; 0 lets the system choose one (the start-up summary prints it)."
    )
    public static let adminEnabled = ConfigurationSetting(
        "admin.enabled", .boolean, default: .boolean(true),
        summary: "Serve the admin API and web console over HTTPS (docs/admin.md) with the device certificate (`tls.certificate`)."
    )
    public static let adminAddress = ConfigurationSetting(
        "admin.address", .ipAddress,
        default: .derived("the box's LAN address: the first IPv4 address of an interface that is up and not loopback (127.0.0.1 if there is none)"),
        summary: "The address the admin API and console listen on. Customers reach it from their own network only; never forward it from the internet."
    )
    public static let adminPort = ConfigurationSetting(
        "admin.port", .integer(0...65535), default: .integer(8443),
        summary: "The HTTPS port of the admin API and console (TLS 1.2 or newer, 1.3 preferred); 0 lets the system choose (the start-up summary prints it)."
    )
    public static let adminRedirectPort = ConfigurationSetting(
        "admin.redirect_port", .integer(1...65535), default: .derived("none: no plain-HTTP port"),
        summary: "A plain-HTTP port on the same address that answers every request with one redirect to the HTTPS console, and nothing else. The packaged unit grants no capabilities, so choose a port from 1024 up (8080, say); 80 needs `AmbientCapabilities=CAP_NET_BIND_SERVICE` in a drop-in."
    )
    public static let shutdownGracePeriod = ConfigurationSetting(
        "shutdown.grace_period_seconds", .integer(1...300), default: .integer(10),
        summary: "How long a graceful shutdown (SIGTERM, SIGINT) may take: new calls get 503 while the calls in progress finish their messages; shortly before it ends (half of it, at most 3 s) the calls still in progress are hung up with a BYE and their messages kept as they stand; past it, remaining work is cancelled."
    )

    public static let tlsClientCA = ConfigurationSetting(
        "tls.client_ca", .absolutePath, default: .derived("none: client certificates are not requested"),
        summary: "CA certificates (PEM) that must have signed a client certificate before a TLS connection to the SIP listener is accepted (mutual TLS for devices)."
    )

    // MARK: SIP

    public static let sipEnabled = ConfigurationSetting(
        "sip.enabled", .boolean, default: .boolean(true),
        summary: "Answer calls: listen for SIP on UDP, TCP and TLS."
    )
    public static let sipAddress = ConfigurationSetting(
        "sip.address", .ipAddress, default: .text("0.0.0.0"),
        summary: "The address the SIP listeners bind to."
    )
    public static let sipAdvertisedAddress = ConfigurationSetting(
        "sip.advertised_address", .ipAddress,
        default: .derived("`sip.address`, or the first non-loopback IPv4 address of the box when that is 0.0.0.0 or ::"),
        summary: "The address put in Via, Contact and SDP: where peers send requests and media."
    )
    public static let sipUDPPort = ConfigurationSetting(
        "sip.udp_port", .integer(0...65535), default: .integer(5060),
        summary: "SIP over UDP. Only peers marked `plaintext` may use it; others get 403. 0 lets the system choose."
    )
    public static let sipTCPPort = ConfigurationSetting(
        "sip.tcp_port", .integer(0...65535), default: .integer(5060),
        summary: "SIP over TCP, under the same rule as UDP. 0 lets the system choose."
    )
    public static let sipTLSPort = ConfigurationSetting(
        "sip.tls_port", .integer(0...65535), default: .integer(5061),
        summary: "SIP over TLS 1.2 or newer with the device certificate (`tls.certificate`). 0 lets the system choose."
    )
    public static let sipMaximumCallSeconds = ConfigurationSetting(
        "sip.max_call_seconds", .integer(10...7200), default: .integer(600),
        summary: "The box ends any call (BYE) that lasts longer than this."
    )
    public static let sipUnknownSources = ConfigurationSetting(
        "sip.unknown_sources", .choice(["drop", "refuse"]), default: .text("drop"),
        summary: "What a request from an address no peer lists gets: `drop`, nothing (no answer, no state; counted, and logged once a minute with a count), or `refuse`, a 403 without a transaction, rate limited, scanners blocked. Peers' addresses are never blocked."
    )
    public static let sipMaxConnections = ConfigurationSetting(
        "sip.max_connections", .integer(1...2048), default: .integer(256),
        summary: "TCP and TLS connections open at once, in all; more are closed at accept, before any TLS (at most 16 still closing on each listener: then accepting waits). `LimitNOFILE` in the systemd unit leaves room for these and the calls' files."
    )
    public static let sipMaxConnectionsPerAddress = ConfigurationSetting(
        "sip.max_connections_per_address", .integer(1...1024), default: .integer(16),
        summary: "TCP and TLS connections open at once from one address (an IPv6 /64 is one). A stranger's connection is closed at accept whatever this says (unless `sip.unknown_sources` is `refuse`)."
    )
    public static let sipDNSServer = ConfigurationSetting(
        "sip.dns_server", .ipAddress, default: .derived("the system's name servers (/etc/resolv.conf)"),
        summary: "The IPv4 name server asked for registrars' NAPTR, SRV and address records (RFC 3263), instead of the system's."
    )
    public static let sipDNSPort = ConfigurationSetting(
        "sip.dns_port", .integer(1...65535), default: .integer(53),
        summary: "The port of `sip.dns_server`."
    )
    public static let mediaPortMinimum = ConfigurationSetting(
        "media.rtp_port_min", .integer(1024...65534), default: .integer(20000),
        summary: "The lowest RTP port handed to calls (even ports for RTP, the next odd one for RTCP)."
    )
    public static let mediaPortMaximum = ConfigurationSetting(
        "media.rtp_port_max", .integer(1025...65535), default: .integer(20999),
        summary: "The highest RTP/RTCP port handed to calls; at least 2 ports above `media.rtp_port_min`."
    )

    // MARK: SIP peers: one mapping per trunk or device, under a name of the file's choosing.

    public static let peerKind = ConfigurationSetting(
        "sip.peers.*.kind", .choice(["trunk", "device"]), default: .derived("required"),
        summary: "`trunk` for a SIP provider, `device` for a phone or gateway on the premises."
    )
    public static let peerSources = ConfigurationSetting(
        "sip.peers.*.sources", .addressList, default: .derived("required"),
        summary: "The addresses this peer's traffic comes from, signalling and media: requests, RTP and RTCP from anywhere else are not this peer's (the allowlist). List a trunk's media servers too."
    )
    public static let peerPlaintext = ConfigurationSetting(
        "sip.peers.*.plaintext", .boolean, default: .boolean(false),
        summary: "Allow this peer SIP over UDP/TCP and plain RTP. Leave false: then it must use TLS and SRTP."
    )
    public static let peerDigestUsername = ConfigurationSetting(
        "sip.peers.*.digest_username", .userName, default: .derived("none: no digest challenge"),
        summary: "A device must authenticate with this user name and the password in the secret `sip-peer-<name>`."
    )
    public static let peerRegistrar = ConfigurationSetting(
        "sip.peers.*.registrar", .sipURI, default: .derived("none: the box does not register"),
        summary: "A trunk the box registers with; the password is the secret `sip-peer-<name>`."
    )
    public static let peerRegistrationUsername = ConfigurationSetting(
        "sip.peers.*.registration_username", .userName, default: .derived("required with `registrar`"),
        summary: "The user name of the registration (and its digest authentication)."
    )
    public static let peerRegistrationTransport = ConfigurationSetting(
        "sip.peers.*.registration_transport", .choice(["tls", "tcp", "udp"]), default: .text("tls"),
        summary: "How REGISTER reaches the registrar; tcp and udp need `plaintext: true`."
    )
    public static let peerRegistrationExpires = ConfigurationSetting(
        "sip.peers.*.registration_expires", .integer(60...86400), default: .integer(600),
        summary: "The registration lifetime asked for, in seconds; refreshed before it ends."
    )

    public static let peerCAFile = ConfigurationSetting(
        "sip.peers.*.ca_file", .absolutePath, default: .derived("the system's CA certificates"),
        summary: "CA certificates (PEM) the registrar's TLS certificate must chain to, instead of the system's: for a PBX or proxy with its own CA. The registrar's host name or address is checked against the certificate either way."
    )
    public static let peerRegistrationMailbox = ConfigurationSetting(
        "sip.peers.*.registration_mailbox", .userName, default: .derived("the registration user name, read as a dialled number"),
        summary: "The mailbox (its SIP user or number) a call to this registration reaches, when `route_by` finds no one before the Request-URI."
    )
    public static let peerRouteBy = ConfigurationSetting(
        "sip.peers.*.route_by", .choiceList(PeerRouting.CalledPartySource.allCases.map(\.rawValue)),
        default: .text("[history-info, diversion, request-uri]"),
        summary: "Where the called mailbox comes from, tried in order: the last diversion in `History-Info`, the latest `Diversion`, the Request-URI's user, the To user. Headers not listed are ignored from this peer (and counted)."
    )
    public static let peerNumbers = ConfigurationSetting(
        "sip.peers.*.numbers", .choice(["e164", "international", "international-prefix", "national"]), default: .text("international-prefix"),
        summary: "How this peer writes numbers: `e164` (+4930111222), `international` (4930111222), `international-prefix` (004930111222; 011 with `country: US`), `national` (030111222 with `country: DE`). A number with + is read as E.164 in every style."
    )
    public static let peerCountry = ConfigurationSetting(
        "sip.peers.*.country", .countryCode, default: .derived("none; required with `numbers: national`"),
        summary: "The country whose numbering plan `national` numbers (and the international prefix) follow."
    )
    public static let peerOrganisation = ConfigurationSetting(
        "sip.peers.*.organisation", .userName, default: .derived("every organisation on the box"),
        summary: "The organisation (its id, from `hushbox tenant list`) whose mailboxes this peer's calls may reach. Set it on a box that serves several organisations, so no peer's caller can name another organisation's mailbox (by dialling or in a diversion header)."
    )
    public static let peerAssertsIdentity = ConfigurationSetting(
        "sip.peers.*.asserts_identity", .boolean, default: .boolean(false),
        summary: "Believe this peer's `P-Asserted-Identity` for the caller's number (RFC 3325): set it for a trunk or PBX that checks its callers. Otherwise the number comes from From."
    )

    // MARK: Uplink: where messages are forwarded, and the region they may go to.

    public static let uplinkResidency = ConfigurationSetting(
        "uplink.residency", .choice(["eu", "any"]), default: .text("eu"),
        summary: "`eu`: every uplink destination must be hosted in the EU/EEA; one outside stops the configuration from loading. `any` lifts the rule."
    )
    public static let destinationURL = ConfigurationSetting(
        "uplink.destinations.*.url", .httpsURL, default: .derived("required"),
        summary: "The receiver's base URL (docs/uplink-protocol.md)."
    )
    public static let destinationRegion = ConfigurationSetting(
        "uplink.destinations.*.region", .countryCode, default: .derived("required"),
        summary: "The country hosting the receiver and the data it keeps; checked against `uplink.residency` when the configuration loads."
    )
    public static let destinationPublicKey = ConfigurationSetting(
        "uplink.destinations.*.public_key", .x25519PublicKey, default: .derived("none: payloads rely on TLS alone"),
        summary: "The customer's X25519 public key: payloads are sealed to it with HPKE, so the receiving web tier sees no audio and no numbers."
    )
    public static let destinationPin = ConfigurationSetting(
        "uplink.destinations.*.pin_sha256", .sha256Hex, default: .derived("none: the CA check alone"),
        summary: "The SHA-256 of the SubjectPublicKeyInfo of the trust anchor the receiver's chain must end at (a CA, or the receiver's own self-signed certificate): only that anchor stays trusted."
    )
    public static let destinationCAFile = ConfigurationSetting(
        "uplink.destinations.*.ca_file", .absolutePath, default: .derived("the system's CA certificates"),
        summary: "CA certificates (PEM) the receiver's certificate must chain to, for a receiver with a private CA."
    )
    public static let destinationOperator = ConfigurationSetting(
        "uplink.destinations.*.operated_by", .choice(["sub-processor", "customer"]), default: .text("sub-processor"),
        summary: "`customer`: the customer runs this receiver themselves (hushbox-ingest on their own server): it is their own system, so messages go to it at once. `sub-processor`: a third party runs it, and an organisation's messages go to it only once it is live on that organisation's sub-processor register (30 days after the customer notice)."
    )
    public static let destinationConcurrency = ConfigurationSetting(
        "uplink.destinations.*.max_concurrent_uploads", .integer(1...8), default: .integer(2),
        summary: "Uploads in flight to this destination at once."
    )

    // MARK: Incidents: reminders of breaches not yet notified to the supervisory authority.

    public static let incidentWebhookURL = ConfigurationSetting(
        "incidents.webhook_url", .httpsURL, default: .derived("none: alerts go to the log and /metrics only"),
        summary: "Where hushboxd POSTs each incident alert (every 30 minutes while one awaits notification), signed as the uplink signs (Standard Webhooks) with the secret `incident-webhook`. The body names the incident, its severity and deadline, never its summary."
    )
    public static let incidentWebhookCAFile = ConfigurationSetting(
        "incidents.webhook_ca_file", .absolutePath, default: .derived("the system's CA certificates"),
        summary: "CA certificates (PEM) the webhook receiver's certificate must chain to, for a receiver with a private CA."
    )


    // MARK: The telephone line (docs/line.md)

    public static let lineEnabled = ConfigurationSetting(
        "line.enabled", .boolean, default: .boolean(false),
        summary: "Answer calls on a telephone line through a USB sound card (and a line board's ring and hook lines, or VOX)."
    )
    public static let lineBoard = ConfigurationSetting(
        "line.board", .hardwareName, default: .derived("none: every line key from this file"),
        summary: "A board profile from `line.boards_directory` (`raspberrypi4`, `raspberrypi5`, `generic-x86_64`): its hardware keys become the line's defaults; a `line.*` key in this file overrides one."
    )
    public static let lineBoardsDirectory = ConfigurationSetting(
        "line.boards_directory", .absolutePath, default: .text("/usr/share/hushbox/board"),
        summary: "Where board profiles (`<board>.yaml`) are read from."
    )
    public static let lineMailbox = ConfigurationSetting(
        "line.mailbox", .userName, default: .derived("none: required when `line.enabled`"),
        summary: "The mailbox a line caller reaches: its SIP user or E.164 number, as `hushbox mailbox add` made it."
    )
    public static let lineCaptureDevice = ConfigurationSetting(
        "line.capture_device", .hardwareName, default: .text("default"),
        summary: "The ALSA device the caller is heard on, such as `plughw:CARD=hushboxline` (`arecord -L` lists them)."
    )
    public static let linePlaybackDevice = ConfigurationSetting(
        "line.playback_device", .hardwareName, default: .text("default"),
        summary: "The ALSA device prompts are played to, such as `plughw:CARD=hushboxline` (`aplay -L` lists them)."
    )
    public static let lineALSAConfig = ConfigurationSetting(
        "line.alsa_config", .absolutePath, default: .derived("none: the system's ALSA configuration alone"),
        summary: "An ALSA configuration file added to the system's for this line's devices only (a board's plug wiring)."
    )
    public static let lineControl = ConfigurationSetting(
        "line.control", .choice(["gpio", "vox"]), default: .text("vox"),
        summary: "How calls start and end: `gpio` (a line board's ring detector and hook relay) or `vox` (a line-level source: a call starts on sustained sound)."
    )
    public static let lineGPIOChip = ConfigurationSetting(
        "line.gpio_chip", .hardwareName, default: .text("gpiochip0"),
        summary: "The GPIO chip of the ring and hook lines: its name, path, label (`pinctrl-bcm2711`) or number (`gpiodetect` lists them)."
    )
    public static let lineRingLine = ConfigurationSetting(
        "line.ring_line", .integer(0...511), default: .integer(17),
        summary: "The GPIO line offset of the ring detector's output."
    )
    public static let lineRingActiveLow = ConfigurationSetting(
        "line.ring_active_low", .boolean, default: .boolean(false),
        summary: "The ring detector pulls its line low while the line rings."
    )
    public static let lineHookLine = ConfigurationSetting(
        "line.hook_line", .integer(0...511), default: .integer(27),
        summary: "The GPIO line offset driving the hook relay (active: off hook)."
    )
    public static let lineHookActiveLow = ConfigurationSetting(
        "line.hook_active_low", .boolean, default: .boolean(false),
        summary: "The hook relay closes when its line is driven low."
    )
    public static let lineLoopCurrentLine = ConfigurationSetting(
        "line.loop_current_line", .integer(0...511), default: .derived("none: the board reports no loop current"),
        summary: "The GPIO line offset of a loop-current detector, where the board has one: current gone for 0.3 s ends a call."
    )
    public static let lineLoopCurrentActiveLow = ConfigurationSetting(
        "line.loop_current_active_low", .boolean, default: .boolean(false),
        summary: "The loop-current detector pulls its line low while current flows."
    )
    public static let lineRings = ConfigurationSetting(
        "line.rings", .integer(1...10), default: .integer(2),
        summary: "Rings before the box answers; 2 or more lets caller ID (sent after the first ring in most countries) arrive."
    )
    public static let lineCountry = ConfigurationSetting(
        "line.country", .choice(["de", "at", "ch", "pl", "fr", "it", "es", "nl", "gb", "us"]), default: .text("de"),
        summary: "The exchange's country: which busy, congestion and dial tones end a call, which caller-ID standards are heard and how national numbers read."
    )
    public static let lineVoxThreshold = ConfigurationSetting(
        "line.vox_threshold_db", .integer(-70...(-10)), default: .integer(-40),
        summary: "With `line.control: vox`, the level (dBFS) that 0.3 s of sound must mostly exceed to start a call."
    )
    public static let lineMaximumCallSeconds = ConfigurationSetting(
        "line.maximum_call_seconds", .integer(30...3600), default: .integer(600),
        summary: "A line call longer than this is ended, stored and hung up, and the trouble logged (`off-hook-too-long`)."
    )

    /// The line keys a board profile may set: the hardware, never the mailbox,
    /// and never `line.alsa_config` (an ALSA file can run commands: only the
    /// box's own configuration names one).
    public static let lineHardwareSettings: [ConfigurationSetting] = [
        lineCaptureDevice, linePlaybackDevice, lineControl, lineGPIOChip, lineRingLine, lineRingActiveLow, lineHookLine,
        lineHookActiveLow, lineLoopCurrentLine, lineLoopCurrentActiveLow, lineRings, lineCountry, lineVoxThreshold,
    ]

    public static let lineSettings: [ConfigurationSetting] =
        [lineEnabled, lineBoard, lineBoardsDirectory, lineMailbox, lineALSAConfig] + lineHardwareSettings + [lineMaximumCallSeconds]

    public static let destinationSettings: [ConfigurationSetting] = [
        destinationURL, destinationRegion, destinationPublicKey, destinationPin, destinationCAFile, destinationConcurrency, destinationOperator,
    ]

    public static let peerSettings: [ConfigurationSetting] = [
        peerKind, peerSources, peerPlaintext, peerDigestUsername, peerRegistrar, peerRegistrationUsername,
        peerRegistrationTransport, peerRegistrationExpires, peerCAFile, peerRegistrationMailbox, peerRouteBy, peerNumbers, peerCountry,
        peerAssertsIdentity, peerOrganisation,
    ]

    /// All settings, in the order documentation and reports list them.
    public static let all: [ConfigurationSetting] = [
        deviceName, deviceProvisioned, dataDirectory, promptsDirectory, storageQuota, secretsDirectory, logLevel, tlsCertificate, tlsPrivateKey, tlsClientCA,
        opsEnabled, opsAddress, opsPort, adminEnabled, adminAddress, adminPort, adminRedirectPort, shutdownGracePeriod,
        sipEnabled, sipAddress, sipAdvertisedAddress, sipUDPPort, sipTCPPort, sipTLSPort, sipMaximumCallSeconds,
        sipUnknownSources, sipMaxConnections, sipMaxConnectionsPerAddress, sipDNSServer, sipDNSPort,
        mediaPortMinimum, mediaPortMaximum, uplinkResidency, incidentWebhookURL, incidentWebhookCAFile,
    ] + peerSettings + destinationSettings + lineSettings

    /// The setting with this dotted key (or whose pattern it fills), if there is one.
    public static func setting(forKey key: String) -> ConfigurationSetting? {
        all.first { $0.key == key } ?? all.first { $0.isPattern && $0.matches(key) }
    }

    /// The sections whose children are named in the file: `sip.peers.<name>`, `uplink.destinations.<name>`.
    static let namedSections = ["sip.peers", "uplink.destinations"]

    /// Whether `key` names a section: a fixed one, or one a pattern opens (`sip.peers.carrier`).
    static func isSection(_ key: String) -> Bool {
        if sections.contains(key) { return true }
        let parts = key.split(separator: ".")
        return parts.count == 3 && namedSections.contains(parts[0] + "." + parts[1]) && ConfigurationSetting.isName(parts[2])
    }

    /// The names used under a named section (`carrier` for `sip.peers.carrier.kind`), sorted.
    static func names(in section: String, amongKeys keys: some Sequence<String>) -> [String] {
        let prefix = section.split(separator: ".")
        return Set(keys.compactMap { key -> String? in
            let parts = key.split(separator: ".")
            return parts.count == prefix.count + 2 && Array(parts.prefix(prefix.count)) == prefix ? String(parts[prefix.count]) : nil
        }).sorted()
    }

    /// Every section name, including the parents of nested sections.
    public static var sections: Set<String> {
        var sections = Set<String>()
        for setting in all where !setting.isPattern {
            var components = setting.key.split(separator: ".").dropLast()
            while !components.isEmpty {
                sections.insert(components.joined(separator: "."))
                components = components.dropLast()
            }
        }
        sections.formUnion(namedSections)
        return sections
    }
}
