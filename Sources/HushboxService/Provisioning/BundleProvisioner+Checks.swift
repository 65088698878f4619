import Foundation
internal import Privacy
internal import Uplink
internal import Vault
internal import Voicemail

/// What a bundle asks of the vault, checked in full before provisioning writes
/// anything: a refusal here leaves the box as it was.
extension BundleProvisioner {
    /// A mailbox as the bundle asks for it, checked.
    struct MailboxRequest {
        var number: PhoneNumber?
        var sipUser: String?
        var name: String?
        var language: String?
        var consent: Bool?
    }

    static func checked(_ mailboxes: [BundleContents.Mailbox]) throws(BundleError) -> [MailboxRequest] {
        var checked: [MailboxRequest] = []
        for requested in mailboxes {
            guard requested.sipUser != nil || requested.number != nil else {
                throw BundleError("a mailbox in the bundle has neither sip_user nor number; one of them reaches it")
            }
            if let sipUser = requested.sipUser, sipUser.isEmpty || sipUser.count > 64 || sipUser.contains(where: { $0.isWhitespace || $0.isNewline }) {
                throw BundleError("mailbox sip_user \(sipUser.prefix(16)): 1 to 64 characters, no spaces")
            }
            var number: PhoneNumber?
            if let text = requested.number {
                do { number = try PhoneNumber(text) } catch { throw BundleError("mailbox number \(text.prefix(3))…: \(error)") }
            }
            if let language = requested.language, PromptLanguage(code: language) == nil {
                throw BundleError("mailbox language \(language.prefix(16)): Hushbox speaks \(PromptLanguage.codes)")
            }
            checked.append(MailboxRequest(number: number, sipUser: requested.sipUser, name: requested.name, language: requested.language?.lowercased(), consent: requested.consent))
        }
        return checked
    }

    static func checked(_ retention: [String: Int]) throws(BundleError) -> [(RetentionCategory, Int)] {
        var policy = RetentionPolicy()
        var checked: [(RetentionCategory, Int)] = []
        for (kind, days) in retention.sorted(by: { $0.key < $1.key }) {
            guard let category = RetentionCategory(rawValue: kind) else {
                throw BundleError("retention: \(kind.prefix(32)) is not a kind of data the box keeps; one of \(RetentionCategory.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            do { try policy.set(category, to: days) } catch { throw BundleError("retention: \(error)") }
            checked.append((category, days))
        }
        return checked
    }

    static func checked(_ entries: [BundleContents.SubProcessor]) throws(BundleError) -> [(entry: BundleContents.SubProcessor, notice: Date?)] {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        var checked: [(entry: BundleContents.SubProcessor, notice: Date?)] = []
        for entry in entries {
            guard ConfigurationSetting.isName(entry.name), (try? DataRegion(entry.region)) != nil else {
                throw BundleError("sub_processors: \(entry.name.prefix(32)) must be a destination's name, with a two-letter region")
            }
            var notice: Date?
            if let text = entry.noticeGiven {
                guard let date = formatter.date(from: text) else { throw BundleError("sub_processors: \(text.prefix(16)) is not a date: write YYYY-MM-DD") }
                notice = date
            }
            checked.append((entry, notice))
        }
        return checked
    }
}
