/// What the caller hears, in the order a call meets them. Each is a file per
/// language (`prompts/<language>/<rawValue>.opus`) except the beep, a tone.
public enum Prompt: String, Sendable, Hashable, CaseIterable {
    /// System-owned: says the call will be recorded. Played before every
    /// recording; no greeting or setting replaces it.
    case disclaimer
    /// "Press 1 to allow recording, 2 to decline."
    case consentRequest = "consent-request"
    /// The caller declined (or did not answer): nothing is recorded.
    case consentDeclined = "consent-declined"
    /// The default greeting, unless the mailbox has its own.
    case greeting
    case beep
    case messageSaved = "message-saved"
    /// Nothing was kept (too short): said before hanging up.
    case noMessage = "no-message"
    case mailboxFull = "mailbox-full"

    /// Whether the prompt is spoken (one file per language) or a tone.
    public var isSpoken: Bool { self != .beep }
}
