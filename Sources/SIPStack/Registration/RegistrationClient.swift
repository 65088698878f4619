public import SIPCore

/// Keeps one registration with a trunk alive (RFC 3261 §10.2): registers,
/// answers a digest challenge once per nonce, refreshes before the granted
/// lifetime runs out, and after a failure waits with the exponential backoff
/// and jitter of RFC 5626 §4.5 (30 s doubling up to 30 min) before trying again.
/// A value type: the endpoint sends what it returns and feeds it responses and
/// its timer.
public struct RegistrationClient: Sendable {
    public enum Status: Sendable, Hashable {
        case registering
        case registered(expiresAt: Duration)
        case failed(reason: String, retryAt: Duration)
    }

    public enum Action: Sendable, Equatable {
        /// A REGISTER without Via: the transaction layer adds it with a fresh branch.
        case send(SIPRequest)
        /// Call ``timerFired(at:using:)`` after this long (replaces any earlier timer).
        case setTimer(after: Duration)
        case statusChanged(Status)
    }

    /// RFC 5626 §4.5's base and maximum wait times.
    public static let backoffBase: Duration = .seconds(30)
    public static let backoffMaximum: Duration = .seconds(1800)

    private enum State: Sendable {
        case idle
        case awaitingResponse(answeredNonce: String?)
        case registered
        case backingOff
    }

    public let settings: RegistrationSettings
    private let contact: String
    private let callID: String
    private let fromTag: String
    private var sequence: UInt32 = 0
    private var state: State = .idle
    private var consecutiveFailures = 0
    private var requestedExpires: Duration
    private var nonceCounts: [String: UInt32] = [:]
    /// When the current binding was granted.
    private var registeredAt: Duration?
    /// Bindings in a row whose connection closed within ``shortestHealthyFlow``.
    private var shortFlows = 0

    /// - Parameters:
    ///   - contact: the Contact URI the trunk should send calls to.
    ///   - callID, fromTag: random, kept for every REGISTER of this binding (§10.2.4).
    public init(settings: RegistrationSettings, contact: String, callID: String, fromTag: String) {
        self.settings = settings
        self.contact = contact
        self.callID = callID
        self.fromTag = fromTag
        self.requestedExpires = settings.expires
    }

    public var isRegistered: Bool { if case .registered = state { true } else { false } }

    public mutating func start(at now: Duration, using random: inout some RandomNumberGenerator) -> [Action] {
        register(authorization: nil, answeredNonce: nil, using: &random) + [.statusChanged(.registering)]
    }

    public mutating func responseReceived(_ response: SIPResponse, at now: Duration, using random: inout some RandomNumberGenerator) -> [Action] {
        guard case .awaitingResponse(let answeredNonce) = state else { return [] }
        switch response.statusCode {
        case 100..<200:
            return []
        case 200..<300:
            consecutiveFailures = 0
            registeredAt = now
            let granted = grantedLifetime(response) ?? requestedExpires
            state = .registered
            // Refresh with a margin: half way for short lifetimes, a minute early for long ones.
            let refresh = max(granted / 2, granted - .seconds(60))
            return [.setTimer(after: refresh), .statusChanged(.registered(expiresAt: now + granted))]
        case 401, 407:
            let header: SIPHeaderName = response.statusCode == 401 ? .wwwAuthenticate : .proxyAuthenticate
            let challenges = response.headers[header].compactMap { try? DigestChallenge.parse($0) }
            // Prefer SHA-256 when the trunk offers both (RFC 8760 §2.4).
            guard let challenge = challenges.first(where: { $0.algorithm == .sha256 }) ?? challenges.first else {
                return fail("the registrar's \(response.statusCode) carries no digest challenge we understand", at: now, using: &random)
            }
            if answeredNonce != nil, !challenge.stale {
                return fail("the registrar refused the credentials for \(settings.username) (check the trunk password)", at: now, using: &random)
            }
            let count = (nonceCounts[challenge.nonce] ?? 0) + 1
            nonceCounts = [challenge.nonce: count]
            let credentials = DigestCredentials.answering(
                challenge, method: .register, uri: settings.registrar.description, username: settings.username,
                password: settings.password, clientNonce: Self.token(using: &random), nonceCount: count
            )
            let field = SIPHeaders.Field(name: response.statusCode == 401 ? .authorization : .proxyAuthorization, value: credentials.headerValue)
            return register(authorization: field, answeredNonce: challenge.nonce, using: &random)
        case 423:
            // §10.2.8: retry at once with at least the Min-Expires the registrar asks for.
            if let minimum = response.headers["Min-Expires"].first.flatMap({ Int64($0.filter { $0 != " " && $0 != "\t" }) }),
                minimum > 0, minimum <= 86_400
            {
                requestedExpires = .seconds(minimum)
                return register(authorization: nil, answeredNonce: nil, using: &random)
            }
            return fail("the registrar answered 423 without a usable Min-Expires", at: now, using: &random)
        default:
            return fail("the registrar answered \(response.statusCode) \(response.reasonPhrase)", at: now, using: &random)
        }
    }

    /// The REGISTER went unanswered by one of the registrar's servers and the
    /// next is to be tried (RFC 3263 §4.3): the same REGISTER, anew.
    public mutating func retryElsewhere(using random: inout some RandomNumberGenerator) -> [Action] {
        guard case .awaitingResponse = state else { return [] }
        return register(authorization: nil, answeredNonce: nil, using: &random)
    }

    /// The REGISTER transaction timed out or its transport failed.
    public mutating func transactionFailed(at now: Duration, using random: inout some RandomNumberGenerator) -> [Action] {
        guard case .awaitingResponse = state else { return [] }
        return fail("no answer from the registrar \(settings.registrar)", at: now, using: &random)
    }

    /// How soon the box registers again after the registrar's connection
    /// closed under a live binding (the registrar restarted, or a middlebox
    /// dropped the connection): calls routed to the binding cannot reach the
    /// box until it does (RFC 5626 §4.4.1), and a registrar that is still
    /// down sends the client into the ordinary backoff.
    public static let reRegistrationAfterFlowLoss: ClosedRange<Double> = 1...3

    /// The connection the binding was made over closed. A REGISTER in flight
    /// is left to its transaction's failure.
    /// A binding whose connection closes sooner than this after it was
    /// granted counts as a failure: a registrar that accepts and then drops
    /// every connection gets the ordinary backoff, not a REGISTER every few
    /// seconds. (One that closes idle connections after minutes, as Kamailio
    /// does after `tcp_connection_lifetime`, gets a quick REGISTER each time:
    /// in effect the keep-alive the box does not send yet.)
    public static let shortestHealthyFlow: Duration = .seconds(10)

    public mutating func flowFailed(at now: Duration, using random: inout some RandomNumberGenerator) -> [Action] {
        guard case .registered = state else { return [] }
        if let registeredAt, now - registeredAt < Self.shortestHealthyFlow {
            shortFlows += 1
            state = .backingOff
            let wait = Self.backoff(after: shortFlows, using: &random)
            let reason = "the registrar closed the connection \(now - registeredAt) after registering"
            return [.setTimer(after: wait), .statusChanged(.failed(reason: reason, retryAt: now + wait))]
        }
        shortFlows = 0
        state = .backingOff
        let wait = Duration.seconds(Double.random(in: Self.reRegistrationAfterFlowLoss, using: &random))
        return [.setTimer(after: wait), .statusChanged(.failed(reason: "the connection to the registrar closed", retryAt: now + wait))]
    }

    public mutating func timerFired(at now: Duration, using random: inout some RandomNumberGenerator) -> [Action] {
        switch state {
        case .registered:
            // The binding held until its refresh: its connection is a healthy one.
            shortFlows = 0
            return register(authorization: nil, answeredNonce: nil, using: &random)
        case .backingOff:
            return register(authorization: nil, answeredNonce: nil, using: &random)
        case .idle, .awaitingResponse:
            return []
        }
    }

    private mutating func register(authorization: SIPHeaders.Field?, answeredNonce: String?, using random: inout some RandomNumberGenerator) -> [Action] {
        sequence += 1
        state = .awaitingResponse(answeredNonce: answeredNonce)
        let aor = "sip:\(settings.username)@\(settings.registrar.host)"
        var headers = SIPHeaders()
        headers.append(.maxForwards, "70")
        headers.append(.from, "<\(aor)>;tag=\(fromTag)")
        headers.append(.to, "<\(aor)>")
        headers.append(.callID, callID)
        headers.append(.cseq, CSeq(sequence: sequence, method: .register).description)
        headers.append(.contact, "<\(contact)>")
        headers.append(.expires, String(requestedExpires.components.seconds))
        if let authorization { headers.append(authorization.name, authorization.value) }
        headers.append(.contentLength, "0")
        return [.send(SIPRequest(method: .register, uri: .sip(settings.registrar), headers: headers))]
    }

    private mutating func fail(_ reason: String, at now: Duration, using random: inout some RandomNumberGenerator) -> [Action] {
        consecutiveFailures += 1
        state = .backingOff
        let wait = Self.backoff(after: consecutiveFailures, using: &random)
        return [.setTimer(after: wait), .statusChanged(.failed(reason: reason, retryAt: now + wait))]
    }

    /// RFC 5626 §4.5: after `failures` in a row, a random time between 50% and
    /// 100% of 30 s doubled for each failure after the first, at most 30 minutes.
    static func backoff(after failures: Int, using random: inout some RandomNumberGenerator) -> Duration {
        let ceiling = min(backoffMaximum, backoffBase * (1 << min(max(failures, 1) - 1, 16)))
        return ceiling * Double.random(in: 0.5...1.0, using: &random)
    }

    /// The lifetime the registrar granted our binding: the Contact's expires
    /// parameter, else the Expires header (§10.2.4).
    private func grantedLifetime(_ response: SIPResponse) -> Duration? {
        if let contacts = try? response.headers.contacts().values {
            for entry in contacts where entry.uri.description == contact || contacts.count == 1 {
                if let value = entry.parameters.first(where: { $0.name.lowercased() == "expires" })?.value, let seconds = Int64(value) {
                    return .seconds(seconds)
                }
            }
        }
        return (try? response.headers.expires()).flatMap { $0 }.map { .seconds(Int64($0)) }
    }

    static func token(using random: inout some RandomNumberGenerator) -> String {
        (0..<4).map { _ in String(random.next() as UInt32, radix: 36) }.joined()
    }
}
