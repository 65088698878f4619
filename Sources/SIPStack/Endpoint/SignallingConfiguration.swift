public import SIPCore

/// Everything the signalling core needs to decide, as plain values: who may
/// call, how, and what the box offers. Built by HushboxService from the
/// configuration file.
public struct SignallingConfiguration: Sendable {
    /// The address the box puts in Via, Contact and SDP (its LAN or loopback address).
    public var advertisedAddress: String
    /// The ports the listeners are bound to; a transport without a port is not offered.
    public var ports: [SIPTransport: Int]
    public var peers: [SIPPeer]
    public var timers: TransactionTimers
    /// The realm of the digest challenges the box sends to devices.
    public var realm: String
    public var rateLimit: SourceRateLimiter.Settings
    public var scannerGuard: ScannerGuard.Settings
    /// Messages from addresses that are no peer's: dropped (the default) or refused statelessly.
    public var unknownSources: UnknownSourcePolicy = .drop
    /// Audio codecs in order of preference, and SRTP suites likewise.
    public var codecs: [AudioCodec]
    public var cryptoSuites: [SRTPCryptoSuite]
    /// RTP ports handed to calls: even numbers from this range (RTCP takes the odd one above).
    public var mediaPorts: ClosedRange<Int>
    /// Calls are ended with a BYE from the box after this long.
    public var maximumCallDuration: Duration
    /// An offered call the application has not answered by then gets 480.
    public var answerDeadline: Duration = .seconds(60)
    /// At most this many server transactions at once; more get 503.
    public var maximumTransactions: Int
    public var userAgent: String

    public init(
        advertisedAddress: String, ports: [SIPTransport: Int], peers: [SIPPeer], timers: TransactionTimers = TransactionTimers(),
        realm: String = "hushbox", rateLimit: SourceRateLimiter.Settings = .init(), scannerGuard: ScannerGuard.Settings = .init(),
        codecs: [AudioCodec] = [.opus, .pcmu, .pcma], cryptoSuites: [SRTPCryptoSuite] = [.aeadAES256GCM, .aeadAES128GCM, .aesCM128HMACSHA1_80],
        mediaPorts: ClosedRange<Int> = 20_000...20_999, maximumCallDuration: Duration = .seconds(600),
        maximumTransactions: Int = 2048, userAgent: String = "Hushbox"
    ) {
        self.advertisedAddress = advertisedAddress
        self.ports = ports
        self.peers = peers
        self.timers = timers
        self.realm = realm
        self.rateLimit = rateLimit
        self.scannerGuard = scannerGuard
        self.codecs = codecs
        self.cryptoSuites = cryptoSuites
        self.mediaPorts = mediaPorts
        self.maximumCallDuration = maximumCallDuration
        self.maximumTransactions = maximumTransactions
        self.userAgent = userAgent
    }

    /// The peer whose allowlist contains `address`, the first one listed when several do.
    public func peer(at address: String) -> SIPPeer? {
        peers.first { $0.isSource(address) }
    }

    /// The methods this UAS serves (RFC 3261 §8.2.1): REGISTER and the rest get 405.
    public static let allowedMethods: [SIPMethod] = [.invite, .ack, .bye, .cancel, .options]
}
