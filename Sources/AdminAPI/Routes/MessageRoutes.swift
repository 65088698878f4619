import Foundation
import Hummingbird
import Vault
import Voicemail

/// Mailboxes and the messages callers left in them.
struct MessageRoutes {
    let backend: AdminBackend

    struct MailboxView: ResponseEncodable {
        let id: String
        let displayName: String?
        let number: String?
        let sipUser: String?
        let language: String
        let maxMessageSeconds: Int
        let maxMessages: Int
        let recordingEnabled: Bool
        let consentRequired: Bool
    }

    struct MessageView: ResponseEncodable {
        let id: String
        let mailboxId: String
        let createdAt: Date
        let durationSeconds: Double
        /// The caller's number masked (`+49 30 ••••67`), or nil when withheld.
        let caller: String?
        let heard: Bool
        let cutOff: Bool
        /// given, not-required, declined or unknown.
        let consent: String
        let forwardedBecause: String?
    }

    func add(to router: RouterGroup<AdminRequestContext>) {
        router.get("mailboxes") { request, context -> Page<MailboxView> in
            let principal = try context.require(.readConfiguration)
            let page = try PageRequest(request)
            let mailboxes = try await backend.run { try backend.tenant(principal).mailboxes() }
            let personal = principal.role.permits(.readPersonalData)
            return page.page(of: mailboxes) { Self.view($0, personal: personal) }
        }
        router.patch("mailboxes/:id") { request, context -> MailboxView in
            let principal = try context.require(.changeConfiguration)
            let id = try context.parameters.require("id")
            let change = try await JSONBody.decode(MailboxChange.self, from: request, context: context, limit: 4096).settings
            let mailbox = try await backend.run {
                let tenant = try backend.tenant(principal)
                guard var mailbox = try tenant.mailbox(id) else { throw Problem.notFound("mailbox \(id)") }
                let before = mailbox
                do { try change.apply(to: &mailbox) } catch let refusal as MailboxSettings.Refusal { throw Problem.invalid("\(MailboxChange.field(refusal.setting)): \(refusal.reason)") }
                // A number or SIP user reaches one organisation's mailbox on this box, whoever asks.
                let number = mailbox.number != before.number ? mailbox.number : nil, sipUser = mailbox.sipUser != before.sipUser ? mailbox.sipUser : nil
                if number != nil || sipUser != nil, try backend.vault.mailboxAddressTaken(number: number, sipUser: sipUser, outside: principal.tenantID) {
                    throw Problem(.conflict, "conflict", "Conflict", "this number or SIP user is not available on this box; choose another")
                }
                try tenant.update(mailbox)
                try tenant.audit(AuditEvent(action: "mailbox.updated", actor: principal.actor, details: ["mailbox_id": id]))
                return mailbox
            }
            return Self.view(mailbox, personal: principal.role.permits(.readPersonalData))
        }
        router.get("mailboxes/:id/messages") { request, context -> Page<MessageView> in
            let principal = try context.require(.readPersonalData)
            let mailboxID = try context.parameters.require("id")
            let page = try PageRequest(request)
            return try await backend.run {
                let tenant = try backend.tenant(principal)
                guard try tenant.mailbox(mailboxID) != nil else { throw Problem.notFound("mailbox \(mailboxID)") }
                let listed = try page.page(of: try tenant.voicemails(mailboxID: mailboxID)) { try Self.view($0, in: tenant) }
                try backend.auditRead(
                    AuditEvent(action: "voicemail.list_viewed", actor: principal.actor, details: ["mailbox_id": mailboxID]), of: mailboxID, in: tenant
                )
                return listed
            }
        }
        router.get("messages/:id") { _, context -> MessageView in
            let principal = try context.require(.readPersonalData)
            let id = try context.parameters.require("id")
            return try await backend.run {
                let tenant = try backend.tenant(principal)
                let view = try Self.view(try Self.activeMessage(id, in: tenant), in: tenant)
                try backend.auditRead(AuditEvent(action: "voicemail.viewed", actor: principal.actor, details: ["voicemail_id": id]), of: id, in: tenant)
                return view
            }
        }
        router.get("messages/:id/audio") { request, context -> Response in
            let principal = try context.require(.readPersonalData)
            return try await MessageAudio.respond(
                to: request, messageID: try context.parameters.require("id"), principal: principal, backend: backend
            )
        }
        router.post("messages/:id/heard") { _, context -> HTTPResponse.Status in
            let principal = try context.require(.changePersonalData)
            let id = try context.parameters.require("id")
            try await backend.run {
                let tenant = try backend.tenant(principal)
                _ = try Self.activeMessage(id, in: tenant)
                try tenant.markHeard(id)
                try tenant.audit(AuditEvent(action: "voicemail.marked_heard", actor: principal.actor, details: ["voicemail_id": id]))
            }
            return .noContent
        }
        router.delete("messages/:id") { _, context -> HTTPResponse.Status in
            let principal = try context.require(.changePersonalData)
            let id = try context.parameters.require("id")
            try await backend.run {
                let tenant = try backend.tenant(principal)
                guard try tenant.softDelete(voicemail: id) else { throw Problem.notFound("message \(id)") }
                try tenant.audit(AuditEvent(action: "voicemail.deleted", actor: principal.actor, details: ["voicemail_id": id]))
            }
            return .noContent
        }
    }

    /// A mailbox's number and name may be a person's (a direct line): only for roles that see personal data.
    static func view(_ mailbox: Mailbox, personal: Bool) -> MailboxView {
        MailboxView(
            id: mailbox.id, displayName: personal ? mailbox.displayName : nil, number: personal ? mailbox.number?.e164 : nil, sipUser: mailbox.sipUser,
            language: mailbox.language, maxMessageSeconds: mailbox.maxMessageSeconds, maxMessages: mailbox.maxMessages,
            recordingEnabled: mailbox.recordingEnabled, consentRequired: mailbox.consentRequired
        )
    }

    /// PATCH /mailboxes/{id}: the settings the `hushbox mailbox update` command takes, by their JSON names.
    struct MailboxChange: Decodable {
        let number: String?
        let sipUser: String?
        let displayName: String?
        let language: String?
        let maxMessageSeconds: Int?
        let maxMessages: Int?
        let recordingEnabled: Bool?
        let consentRequired: Bool?
        let disclaimer: Bool?

        var settings: MailboxSettings {
            MailboxSettings(
                number: number, sipUser: sipUser, displayName: displayName, language: language, maxMessageSeconds: maxMessageSeconds,
                maxMessages: maxMessages, recordingEnabled: recordingEnabled, consentRequired: consentRequired, disclaimer: disclaimer
            )
        }

        static func field(_ setting: MailboxSettings.Setting) -> String {
            setting == .reachability ? "number or sip_user" : setting.rawValue.snakeCased
        }
    }


    /// A message that is listed (not deleted); another organisation's id is simply not found.
    static func activeMessage(_ id: String, in tenant: TenantVault) throws -> Voicemail {
        guard let message = try tenant.voicemail(id), message.state == .active else { throw Problem.notFound("message \(id)") }
        return message
    }

    static func view(_ message: Voicemail, in tenant: TenantVault) throws -> MessageView {
        let call = try tenant.call(message.callID)
        let cut = try message.objectID.flatMap { try tenant.object($0) }?.state == .cut
        let consent: String =
            switch try tenant.consents(call: message.callID).first?.kind {
            case .priorExpress?: "given"
            case .notRequired?: "not-required"
            case .declined?: "declined"
            case nil: "unknown"
            }
        let seconds = Double(message.duration.components.seconds) + Double(message.duration.components.attoseconds) / 1e18
        return MessageView(
            id: message.id, mailboxId: message.mailboxID, createdAt: message.createdAt, durationSeconds: (seconds * 10).rounded() / 10,
            caller: call?.counterparty?.maskedForDisplay, heard: message.heard, cutOff: cut, consent: consent,
            forwardedBecause: call?.divertedBecause?.rawValue
        )
    }
}
