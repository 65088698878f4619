import Synchronization

/// Where a call's media may come from right now, as the session has decided
/// it (``InboundMedia``: the latched source, or the SDP's host for plain
/// RTP), shared with the call's sockets so they drop what the session would
/// drop before it is queued. Without it, a flood from inside the peer's
/// range (or spoofed from the peer's own host) could push the caller's
/// packets out of the bounded queue before the session refused the flood.
/// The session stays the authority; this only lets the sockets refuse early.
final class MediaGate: Sendable {
    private struct State {
        var latched: MediaEndpoint?
        var requiredHost: String?
    }

    private let state = Mutex(State())

    /// The session latched RTP to `source`.
    func latch(_ source: MediaEndpoint) {
        state.withLock { $0.latched = source }
    }

    /// The peer's media moved or a call starts: nothing latched; plain RTP from `requiredHost` only, when given.
    func reset(requiredHost: String?) {
        state.withLock { $0 = State(latched: nil, requiredHost: requiredHost) }
    }

    /// Whether an RTP datagram from `source` may be queued for the session.
    func admitsRTP(from source: MediaEndpoint) -> Bool {
        let (latched, requiredHost) = state.withLock { ($0.latched, $0.requiredHost) }
        if let latched { return latched == source }
        guard let requiredHost else { return true }
        return MediaEndpoint.canonical(source.host) == requiredHost
    }

    /// Whether an RTCP datagram from `host` may be queued: RTCP comes from the latched host (any port).
    func admitsControl(fromHost host: String) -> Bool {
        let (latched, requiredHost) = state.withLock { ($0.latched, $0.requiredHost) }
        if let latched { return latched.host == host }
        guard let requiredHost else { return true }
        return MediaEndpoint.canonical(host) == requiredHost
    }
}
