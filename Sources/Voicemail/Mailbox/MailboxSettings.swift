public import Vault

/// A change to a mailbox's settings as the customer asks for it, from the
/// `hushbox mailbox` command or the admin API: each setting left nil stays as
/// it is. Checked here once, for both, before anything is stored.
public struct MailboxSettings: Sendable, Hashable {
    /// Which setting a refusal is about; the CLI and the API name it their own way.
    public enum Setting: String, Sendable, Hashable {
        case number, sipUser, displayName, language, maxMessageSeconds, maxMessages, disclaimer, reachability
    }

    public struct Refusal: Error, Sendable, Hashable, CustomStringConvertible {
        public let setting: Setting
        public let reason: String
        public var description: String { reason }
    }

    public var number: String?
    public var sipUser: String?
    public var displayName: String?
    public var language: String?
    public var maxMessageSeconds: Int?
    public var maxMessages: Int?
    public var recordingEnabled: Bool?
    public var consentRequired: Bool?
    /// false asks for no recording disclaimer, which only a mailbox that records nothing may have.
    public var disclaimer: Bool?

    public init(
        number: String? = nil, sipUser: String? = nil, displayName: String? = nil, language: String? = nil, maxMessageSeconds: Int? = nil,
        maxMessages: Int? = nil, recordingEnabled: Bool? = nil, consentRequired: Bool? = nil, disclaimer: Bool? = nil
    ) {
        self.number = number
        self.sipUser = sipUser
        self.displayName = displayName
        self.language = language
        self.maxMessageSeconds = maxMessageSeconds
        self.maxMessages = maxMessages
        self.recordingEnabled = recordingEnabled
        self.consentRequired = consentRequired
        self.disclaimer = disclaimer
    }

    public static let messageSeconds = 5...3600
    /// As the database's check allows.
    public static let messageCount = 1...10_000

    /// `mailbox` with the change applied, or the first setting refused and why.
    public func apply(to mailbox: inout Mailbox) throws(Refusal) {
        if let number {
            do { mailbox.number = try PhoneNumber(number) } catch { throw Refusal(setting: .number, reason: "\(error)") }
        }
        if let sipUser {
            guard !sipUser.isEmpty, sipUser.count <= 64, sipUser.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.+".contains($0)) }) else {
                throw Refusal(setting: .sipUser, reason: "a SIP user is 1 to 64 letters, digits, or - _ . +")
            }
            mailbox.sipUser = sipUser
        }
        if let displayName {
            guard displayName.count <= 200 else { throw Refusal(setting: .displayName, reason: "a display name has at most 200 characters") }
            mailbox.displayName = displayName
        }
        if let language {
            guard PromptLanguage(code: language) != nil else {
                throw Refusal(setting: .language, reason: "Hushbox speaks \(PromptLanguage.codes)")
            }
            mailbox.language = language.lowercased()
        }
        if let maxMessageSeconds {
            guard Self.messageSeconds.contains(maxMessageSeconds) else {
                throw Refusal(setting: .maxMessageSeconds, reason: "between \(Self.messageSeconds.lowerBound) and \(Self.messageSeconds.upperBound)")
            }
            mailbox.maxMessageSeconds = maxMessageSeconds
        }
        if let maxMessages {
            guard Self.messageCount.contains(maxMessages) else {
                throw Refusal(setting: .maxMessages, reason: "between \(Self.messageCount.lowerBound) and \(Self.messageCount.upperBound)")
            }
            mailbox.maxMessages = maxMessages
        }
        if let recordingEnabled { mailbox.recordingEnabled = recordingEnabled }
        if let consentRequired { mailbox.consentRequired = consentRequired }
        if disclaimer == false, mailbox.recordingEnabled {
            throw Refusal(
                setting: .disclaimer,
                reason: "the recording disclaimer cannot be turned off while recording is on: callers must hear that they are recorded "
                    + "before a word is kept. For a mailbox that records nothing, turn recording off (its callers hear only the greeting)."
            )
        }
        guard mailbox.number != nil || mailbox.sipUser != nil else {
            throw Refusal(setting: .reachability, reason: "a mailbox needs a number or a SIP user, or no call can reach it")
        }
    }
}
