/// Blocks a source for a while after it behaves like a SIP scanner: a user agent
/// of a known scanning tool, or repeated failures (refused sources, wrong
/// digest credentials) within a window. A blocked source's messages are
/// dropped without an answer, which is what makes scanners move on.
public struct ScannerGuard: Sendable {
    public struct Settings: Sendable, Hashable {
        public var failuresBeforeBlock: Int
        public var failureWindow: Duration
        public var blockDuration: Duration
        /// Lower-cased substrings of User-Agent values that mean a scanner.
        public var scannerUserAgents: [String]
        public var trackedSources: Int

        public init(
            failuresBeforeBlock: Int = 5, failureWindow: Duration = .seconds(60), blockDuration: Duration = .seconds(900),
            scannerUserAgents: [String] = Self.knownScanners, trackedSources: Int = 4096
        ) {
            self.failuresBeforeBlock = failuresBeforeBlock
            self.failureWindow = failureWindow
            self.blockDuration = blockDuration
            self.scannerUserAgents = scannerUserAgents
            self.trackedSources = trackedSources
        }

        /// User agents of the SIPVicious suite and the other tools seen in scan logs.
        public static let knownScanners = [
            "friendly-scanner", "sipvicious", "sipcli", "sip-scan", "sipscan", "iwar", "sundayddr", "vaxsipuseragent",
            "pplsip", "sipsak", "smap", "cafesip", "fpbx", "masscan",
        ]
    }

    public let settings: Settings
    private var failures: [String: [Duration]] = [:]
    private var blockedUntil: [String: Duration] = [:]

    public init(settings: Settings) {
        self.settings = settings
    }

    public func isBlocked(_ source: String, at now: Duration) -> Bool {
        guard let until = blockedUntil[source] else { return false }
        return now < until
    }

    public func isScanner(userAgent: String) -> Bool {
        let lowered = userAgent.lowercased()
        return settings.scannerUserAgents.contains { lowered.contains($0) }
    }

    /// Blocks `source` at once (a scanner's user agent).
    public mutating func block(_ source: String, at now: Duration) {
        forgetExpired(at: now)
        blockedUntil[source] = now + settings.blockDuration
        failures.removeValue(forKey: source)
    }

    /// Records a failure; returns true when it tipped the source into a block.
    public mutating func recordFailure(_ source: String, at now: Duration) -> Bool {
        forgetExpired(at: now)
        var recent = (failures[source] ?? []).filter { now - $0 < settings.failureWindow }
        recent.append(now)
        if recent.count >= settings.failuresBeforeBlock {
            block(source, at: now)
            return true
        }
        if failures[source] == nil, failures.count >= settings.trackedSources, let victim = failures.keys.first {
            failures.removeValue(forKey: victim)
        }
        failures[source] = recent
        return false
    }

    private mutating func forgetExpired(at now: Duration) {
        if blockedUntil.count > settings.trackedSources / 2 {
            blockedUntil = blockedUntil.filter { now < $0.value }
        }
        if blockedUntil.count >= settings.trackedSources, let first = blockedUntil.min(by: { $0.value < $1.value })?.key {
            blockedUntil.removeValue(forKey: first)
        }
    }
}
