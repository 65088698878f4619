/// What the caller said about being recorded; stored with the call as its
/// `consents.consent_type`.
public enum ConsentDecision: String, Sendable, Hashable {
    /// Pressed 1 after the consent question.
    case given = "prior_express"
    /// Pressed 2, did not answer twice, or hung up during the question.
    case declined
    /// The caller's country does not ask for it, or the mailbox does not.
    case notRequired = "not_required"
}
