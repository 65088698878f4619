public import SIPCore

/// What the SIP dialog tells a running voicemail call after it was answered.
public enum CallDialogEvent: Sendable {
    /// A re-INVITE changed the media (hold, resume, a new address or SRTP key)
    /// and the SIP core has answered it: the call's media must follow now, or
    /// the caller's next packets fail and silence ends the call.
    case mediaUpdated(NegotiatedAudio)
    /// The dialog ended (the caller's BYE, a CANCEL, the maximum duration).
    case ended
}
