/// Why a call was forwarded to the box instead of ringing the person called,
/// as far as a voicemail system cares: it chooses the greeting ("… is on the
/// other line" for busy) and is stored with the call.
public enum DiversionReason: String, Sendable, Hashable, CaseIterable {
    /// The called party's line was busy.
    case busy
    /// The called party did not answer in time.
    case noAnswer = "no_answer"
    /// Every call is forwarded (call forwarding unconditional).
    case unconditional
    /// The called party could not be reached: unregistered, out of service, unknown.
    case unavailable
    /// Forwarded for a reason that does not change what the caller hears
    /// (deflection, do-not-disturb, time of day, follow-me, unknown).
    case other

    /// RFC 4458 §3 `cause` values (the SIP status the call failed with at the
    /// diverting party), as carried by History-Info targets (RFC 7044 §9.2).
    public init(cause: Int) {
        switch cause {
        case 486: self = .busy
        case 408: self = .noAnswer
        case 302: self = .unconditional
        // 404 "Unknown/Not available", 503 "Mobile subscriber not reachable".
        case 404, 503: self = .unavailable
        // 480 and 487 are deflections (immediate, during alerting).
        default: self = .other
        }
    }

    /// The SIP status a request to the diverting party ended with, as a
    /// `Reason` header reports it (RFC 3326, escaped into a History-Info
    /// entry): not RFC 4458's cause table, but what the status itself means.
    public init(failureStatus status: Int) {
        switch status {
        case 486, 600: self = .busy
        // No answer in time, or cancelled by the forwarding proxy's no-answer timer.
        case 408, 487: self = .noAnswer
        case 404, 410, 480, 503: self = .unavailable
        case 301, 302: self = .unconditional
        default: self = .other
        }
    }

    /// RFC 5806 §4 `diversion-reason` tokens (case-insensitive; anything else is `.other`).
    public init(diversionReason token: String) {
        switch token.lowercased() {
        case "user-busy": self = .busy
        case "no-answer": self = .noAnswer
        case "unconditional": self = .unconditional
        case "unavailable", "out-of-service": self = .unavailable
        default: self = .other
        }
    }
}
