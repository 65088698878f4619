import NetworkLimits
import SIPCore

/// The SIP user agent of the box as one value: transport-independent,
/// clock-independent. Bytes and application decisions go in with the current
/// time (a duration since the owner started); actions come out. The owner
/// (``SIPEndpoint``) does the IO and calls ``fireTimers(at:)`` at
/// ``nextDeadline``. Tests drive it with plain values and a virtual time.
public struct SignallingCore: Sendable {
    public let configuration: SignallingConfiguration
    public internal(set) var counters = SignallingCounters()

    let parser = SIPParser()
    let validator: SIPRequestValidator
    var random: any RandomNumberGenerator & Sendable
    var rateLimiter: SourceRateLimiter
    /// Sources that are no peer's: scanners and repeated failures (used when they are refused, not dropped).
    var scannerGuard: ScannerGuard
    /// Peer addresses that failed digest authentication too often: their INVITEs are refused
    /// without a check for a while, but the address is never blocked (a trunk or phone behind it keeps working).
    var authenticationGuard: ScannerGuard
    var logThrottle = LogThrottle()
    var digestServer: DigestServer
    var mediaPorts: MediaPortPool

    var serverTransactions: [ServerTransactionKey: ServerTransactionRecord] = [:]
    var clientTransactions: [String: ClientTransactionRecord] = [:]
    var calls: [UInt64: ServerCall] = [:]
    var callsByDialog: [Dialog.ID: UInt64] = [:]
    var callsByInvite: [ServerTransactionKey: UInt64] = [:]
    var registrations: [String: RegistrationClient] = [:]
    /// The stream connection each registration's binding was granted over:
    /// when it closes, the binding's flow is gone (RFC 5626 §4.4.1).
    var registrationConnections: [String: ConnectionID] = [:]
    /// For registrars named by host name: the servers DNS located, in order, and which is being tried.
    var registrarTargets: [String: (targets: [SocketEndpoint], next: Int)] = [:]
    /// REGISTERs waiting for DNS to locate their registrar.
    var pendingRegisters: [String: SIPRequest] = [:]
    var timers: [TimerKey: Duration] = [:]
    var nextCallNumber: UInt64 = 1
    /// Set when the box shuts down: new calls get 503 with this Retry-After (seconds).
    var shutdownRetryAfter: Int?

    /// - Parameter random: a cryptographically secure generator in production
    ///   (tags, branches, SRTP keys and digest nonces come from it); a seeded one in tests.
    public init(configuration: SignallingConfiguration, random: some RandomNumberGenerator & Sendable) {
        self.configuration = configuration
        var random = random
        validator = SIPRequestValidator(policy: UASPolicy(allowedMethods: SignallingConfiguration.allowedMethods))
        rateLimiter = SourceRateLimiter(settings: configuration.rateLimit)
        scannerGuard = ScannerGuard(settings: configuration.scannerGuard)
        authenticationGuard = ScannerGuard(settings: configuration.scannerGuard)
        let secret = (0..<32).map { _ in UInt8.random(in: 0...255, using: &random) }
        digestServer = DigestServer(realm: configuration.realm, secret: secret)
        mediaPorts = MediaPortPool(range: configuration.mediaPorts)
        self.random = random
    }

    /// How many server transactions, client transactions and calls are alive:
    /// the mutation test checks these return to zero.
    public var liveState: (serverTransactions: Int, clientTransactions: Int, calls: Int, timers: Int) {
        (serverTransactions.count, clientTransactions.count, calls.count, timers.count)
    }

    /// When ``fireTimers(at:)`` should next be called, if any timer runs.
    public var nextDeadline: Duration? { timers.values.min() }

    // MARK: Input from the network

    /// One datagram, or one framed message from a stream.
    ///
    /// Who sent it is decided first, from the address alone: a message from
    /// an address that is no peer's is dropped (or refused statelessly) before
    /// anything else, so it opens no transaction, takes no table entry a peer
    /// needs, and cannot get a peer's address blocked by forging it.
    public mutating func receive(_ bytes: [UInt8], over flow: SIPFlow, at now: Duration) -> [SignallingAction] {
        counters.messagesReceived += 1
        let source = flow.remote.host
        guard let peer = configuration.peer(at: source) else {
            return receiveFromStranger(bytes, over: flow, at: now)
        }
        if bytes.allSatisfy({ $0 == 0x0D || $0 == 0x0A }) {
            // RFC 5626 §3.5.1 keep-alive: a double CRLF is answered with a single one on streams.
            return flow.transport.isReliable && bytes.count >= 4 ? [.send([0x0D, 0x0A], over: flow)] : []
        }
        guard rateLimiter.admit(source, at: now) else {
            counters.droppedByRateLimit += 1
            return throttledLog(.rateLimited, .notice, "dropped messages over the rate limit", source: source, at: now)
        }
        let message: SIPMessage
        do {
            message = try parser.parse(datagram: bytes)
        } catch {
            counters.unparseable += 1
            return answerUnparseable(error, over: flow, at: now)
        }
        switch message {
        case .request(var request):
            stampReceivedVia(on: &request, from: flow)
            return receiveRequest(request, over: flow, from: peer, at: now)
        case .response(let response):
            return receiveResponse(response, over: flow, at: now)
        }
    }

    /// A message from an address no peer has: see ``UnknownSourcePolicy``.
    private mutating func receiveFromStranger(_ bytes: [UInt8], over flow: SIPFlow, at now: Duration) -> [SignallingAction] {
        guard configuration.unknownSources == .refuse else {
            counters.droppedUnknownSource += 1
            return throttledLog(.unknownSource, .notice, "dropped messages from addresses that are no peer's", source: flow.remote.host, at: now)
        }
        // Blocks and rate limits hold a whole IPv6 /64: a stranger there can take a new address for every message.
        let source = SourceKey.of(flow.remote.host)
        if scannerGuard.isBlocked(source, at: now) {
            counters.droppedFromBlockedSource += 1
            return throttledLog(.blockedSource, .notice, "dropped messages from blocked sources", source: source, at: now)
        }
        guard rateLimiter.admit(source, at: now) else {
            counters.droppedByRateLimit += 1
            return throttledLog(.rateLimited, .notice, "dropped messages over the rate limit", source: source, at: now)
        }
        guard case .request(let request)? = try? parser.parse(datagram: bytes), request.method != .ack else {
            counters.unparseable += 1
            return []
        }
        if let agent = request.headers[.userAgent].first, scannerGuard.isScanner(userAgent: agent) {
            scannerGuard.block(source, at: now)
            counters.sourcesBlocked += 1
            return throttledLog(.scanner, .warning, "blocked SIP scanners for \(configuration.scannerGuard.blockDuration)", source: source, at: now)
        }
        counters.refusedUnknownSource += 1
        if scannerGuard.recordFailure(source, at: now) { counters.sourcesBlocked += 1 }
        let reason = "the source address is not an allowed peer"
        return throttledLog(.refusedRequest, .notice, "refused requests with 403: \(reason)", source: source, at: now)
            + respondStatelessly(to: request, over: flow, status: 403, extra: [Self.warning(reason)])
            + (flow.transport.isReliable ? [.close(flow)] : [])
    }

    /// `count` datagrams from strangers were dropped at the socket, before
    /// they reached the core (UDP, when strangers are dropped): counted as
    /// the core counts its own drops, and logged through the same throttle.
    public mutating func strangersDropped(_ count: Int, at now: Duration) -> [SignallingAction] {
        guard count > 0 else { return [] }
        counters.messagesReceived += count
        counters.droppedUnknownSource += count
        return throttledLog(.unknownSource, .notice, "dropped messages from addresses that are no peer's", occurrences: count, at: now)
    }

    /// A log line through the throttle: the first of a minute for `reason` is
    /// written with how many were left out before it; the rest are only counted.
    mutating func throttledLog(
        _ reason: LogThrottle.Reason, _ level: SignallingLogRecord.Level, _ message: String, callID: String? = nil, source: String? = nil,
        occurrences: Int = 1, at now: Duration
    ) -> [SignallingAction] {
        guard let leftOut = logThrottle.admit(reason, occurrences: occurrences, at: now) else { return [] }
        let text = leftOut > 0 ? "\(message) (and \(leftOut) more like it since the last such line)" : message
        return [.log(.init(level, text, callID: callID, source: source))]
    }

    /// A stream connection closed: its transactions fail, calls on it end.
    public mutating func flowClosed(_ flow: SIPFlow, at now: Duration) -> [SignallingAction] {
        var actions: [SignallingAction] = []
        for (key, record) in serverTransactions where record.flow == flow {
            actions += updateServerTransaction(key, at: now) { $0.transportFailed() }
        }
        for (branch, record) in clientTransactions where record.flow == flow {
            actions += updateClientTransaction(branch, at: now) { $0.transportFailed() }
        }
        for (number, call) in calls where call.flow == flow {
            actions += endCall(number, because: .transportClosed)
        }
        return actions + registrationFlowClosed(flow, at: now)
    }

    // MARK: Timers

    public mutating func fireTimers(at now: Duration) -> [SignallingAction] {
        var actions: [SignallingAction] = []
        // Fire in deadline order; a fired timer may schedule another that is also due.
        while let (key, deadline) = timers.min(by: { $0.value < $1.value }), deadline <= now {
            timers.removeValue(forKey: key)
            actions += fire(key, at: now)
        }
        return actions
    }

    mutating func schedule(_ key: TimerKey, after delay: Duration, at now: Duration) {
        timers[key] = now + delay
    }

    mutating func cancelTimers(where predicate: (TimerKey) -> Bool) {
        timers = timers.filter { !predicate($0.key) }
    }

    private mutating func fire(_ key: TimerKey, at now: Duration) -> [SignallingAction] {
        switch key {
        case .server(let transactionKey, let timer):
            return updateServerTransaction(transactionKey, at: now) { $0.timerFired(timer) }
        case .client(let branch, let timer):
            return updateClientTransaction(branch, at: now) { $0.timerFired(timer) }
        case .call(let number, let timer):
            return callTimerFired(number, timer, at: now)
        case .registration(let peer):
            return registrationTimerFired(peer, at: now)
        }
    }

    // MARK: Helpers shared by the extensions

    mutating func token(_ length: Int = 10) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789".utf8)
        return String(decoding: (0..<length).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] }, as: UTF8.self)
    }

    mutating func randomBytes(_ count: Int) -> [UInt8] {
        (0..<count).map { _ in UInt8(truncatingIfNeeded: random.next()) }
    }

    /// Our address as Via and Contact write it: IPv6 in brackets.
    var advertisedHost: String {
        configuration.advertisedAddress.contains(":") ? "[\(configuration.advertisedAddress)]" : configuration.advertisedAddress
    }

    /// Our Contact for a flow's transport. A registration's Contact carries
    /// the registration's user, so that a call a registrar routes to it says
    /// which registration (and which mailbox) it is for.
    func contact(for transport: SIPTransport, user: String = "hushbox") -> String {
        "<sip:\(SIPURI.escapedUser(user))@\(advertisedHost):\(configuration.ports[transport] ?? 5061);transport=\(transport.rawValue)>"
    }

    /// RFC 3261 §18.2.1 and RFC 3581 §4: record where the request really came
    /// from in its top Via, so that responses find their way back through NAT.
    private func stampReceivedVia(on request: inout SIPRequest, from flow: SIPFlow) {
        guard let first = request.headers[.via].first, var vias = try? Via.parseList(first), !vias.isEmpty else { return }
        var top = vias[0]
        let sentByAddress = top.host.bareHost
        var changed = false
        let rportIndex = top.parameters.firstIndex { $0.name.lowercased() == "rport" }
        // RFC 3581 §4: with rport, received is added even when the addresses agree.
        if sentByAddress != flow.remote.host || rportIndex != nil {
            top.parameters.removeAll { $0.name.lowercased() == "received" }
            top.parameters.append(SIPParameter(name: "received", value: flow.remote.host))
            changed = true
        }
        if let index = rportIndex, top.parameters[index].value == nil {
            top.parameters[index].value = String(flow.remote.port)
            changed = true
        }
        guard changed else { return }
        vias[0] = top
        var fields = request.headers.fields
        if let index = fields.firstIndex(where: { $0.name == .via }) {
            fields[index].value = vias.map(\.description).joined(separator: ", ")
        }
        request.headers = SIPHeaders(fields)
    }

    /// A request too broken to parse still gets its 400 (or 413, 513) when the
    /// parser salvaged enough to route a response; anything else is dropped.
    private mutating func answerUnparseable(_ error: SIPParseError, over flow: SIPFlow, at now: Duration) -> [SignallingAction] {
        let headers = error.salvagedHeaders
        let log = throttledLog(.unparseable, .debug, "unparseable message: \(error.code)", source: flow.remote.host, at: now)
        guard !error.looksLikeResponse, !headers[.via].isEmpty, !headers[.callID].isEmpty, !headers[.cseq].isEmpty else {
            return log
        }
        let reply = SIPResponseBuilder.response(
            to: headers, statusCode: error.suggestedStatus, toTag: token(),
            extraHeaders: [SIPHeaders.Field(name: .contentLength, value: "0")]
        )
        return log + [.send(reply.serialized, over: flow)]
    }
}

/// A timer the core runs, by owner.
enum TimerKey: Sendable, Hashable {
    case server(ServerTransactionKey, TransactionTimer)
    case client(branch: String, TransactionTimer)
    case call(UInt64, CallTimer)
    case registration(peer: String)
}

enum CallTimer: Sendable, Hashable {
    /// RFC 3261 §13.3.1.4: resend the 2xx at T1, doubling up to T2.
    case retransmitSuccess
    /// §13.3.1.4: give up waiting for the ACK after 64·T1.
    case acknowledgementDeadline
    case maximumDuration
    /// The application neither answered nor refused in time.
    case answerDeadline
}
