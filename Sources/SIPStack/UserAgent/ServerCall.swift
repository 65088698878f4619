import SIPCore

/// One call the box is answering or has answered: its dialog, the INVITE
/// transaction in progress, the negotiated media and where it stands.
struct ServerCall: Sendable {
    enum Phase: Sendable, Equatable {
        /// 100 Trying sent; the application decides.
        case offered
        /// 180 Ringing sent.
        case ringing
        /// 2xx sent (for the INVITE or a re-INVITE); waiting for the ACK.
        case awaitingAck(retransmitInterval: Duration)
        case confirmed
    }

    let reference: CallReference
    let peer: String
    var flow: SIPFlow
    var dialog: Dialog
    var phase: Phase
    /// The INVITE (or re-INVITE) whose transaction is open, to answer it.
    var pendingInvite: (key: ServerTransactionKey, request: SIPRequest)?
    /// The 2xx retransmitted until the ACK comes (RFC 3261 §13.3.1.4).
    var unacknowledgedSuccess: SIPResponse?
    var local: LocalMedia
    var audio: NegotiatedAudio
    var answer: SessionDescription
    var established = false
}

extension ServerCall.Phase {
    var isAnswered: Bool {
        switch self {
        case .offered, .ringing: false
        case .awaitingAck, .confirmed: true
        }
    }
}
