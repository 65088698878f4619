/// What the caller flow needs to know about the mailbox and the caller before
/// the call is answered.
public struct CallerFlowSettings: Sendable, Hashable {
    /// The language of the disclaimer and every prompt after it.
    public var language: PromptLanguage
    /// Ask for DTMF consent before recording (a DE/AT/CH/PL caller and a mailbox that requires it).
    public var asksForConsent: Bool
    public var recordingEnabled: Bool
    /// The mailbox holds its maximum of messages: say so, record nothing.
    public var mailboxFull: Bool
    public var maximumMessage: Duration
    /// Silence after the caller's last word that ends the message.
    public var maximumSilence: Duration
    /// Shorter messages are discarded (the call row remains).
    public var minimumSpeech: Duration
    /// How long the caller has to answer the consent question, each time.
    public var consentTimeout: Duration

    public init(
        language: PromptLanguage, asksForConsent: Bool, recordingEnabled: Bool = true, mailboxFull: Bool = false,
        maximumMessage: Duration = .seconds(180), maximumSilence: Duration = .seconds(6), minimumSpeech: Duration = .seconds(1),
        consentTimeout: Duration = .seconds(8)
    ) {
        self.language = language
        self.asksForConsent = asksForConsent
        self.recordingEnabled = recordingEnabled
        self.mailboxFull = mailboxFull
        self.maximumMessage = maximumMessage
        self.maximumSilence = maximumSilence
        self.minimumSpeech = minimumSpeech
        self.consentTimeout = consentTimeout
    }

    /// The settings for one call: the caller's language from their country
    /// code (else the mailbox's), consent asked where the mailbox requires it
    /// and the caller's country needs it or the caller is withheld (nil).
    public static func forCall(
        callerE164: String?, mailboxLanguage: PromptLanguage, mailboxRequiresConsent: Bool, recordingEnabled: Bool,
        mailboxFull: Bool, maximumMessage: Duration
    ) -> CallerFlowSettings {
        let country = callerE164.flatMap(CallerCountry.init(e164:))
        // A withheld caller's country cannot be known, so it may be one whose
        // law asks for consent: they are asked, in the mailbox's language. A
        // number from a country Hushbox does not list is known not to be one.
        let mayNeedConsent = callerE164 == nil || (country?.requiresConsent ?? false)
        return CallerFlowSettings(
            language: country?.language(preferring: mailboxLanguage) ?? mailboxLanguage,
            asksForConsent: mailboxRequiresConsent && mayNeedConsent,
            recordingEnabled: recordingEnabled, mailboxFull: mailboxFull, maximumMessage: maximumMessage
        )
    }
}
