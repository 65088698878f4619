import Foundation
import Hummingbird
import NIOCore
import Privacy
import Vault

/// Retention and the data subject's rights, with the CLI's checks and audit
/// entries: erasure (hidden now, destroyed by the purge 30 days later),
/// rectification, and restriction of a user.
struct PrivacyRoutes {
    let backend: AdminBackend

    struct RetentionView: ResponseEncodable {
        let kind: String
        let days: Int
        /// As a person reads it: "30, 90, 180 or 365", "7 to 365", "30 (fixed)".
        let allowed: String
        let changeable: Bool
    }

    struct RetentionChange: Decodable { let days: Int }

    struct Subject: Decodable {
        /// A caller's number (E.164 or national with country) or a user's e-mail address.
        let subject: String
    }

    struct ErasureView: ResponseEncodable {
        let id: String
        let subjectId: String
        let requestedAt: Date
        /// When the daily purge destroys the data for good.
        let hardDeleteDueAt: Date
        let callsHidden: Int
        let messagesHidden: Int
        /// Erase notices queued for receivers that got the person's messages.
        let receiversToTell: Int
    }

    struct Rectification: Decodable {
        let subject: String
        let number: String?
        let email: String?
        let displayName: String?
    }

    struct RectificationView: ResponseEncodable {
        /// What was corrected: `calls` (a caller's number) or the user's fields.
        let corrected: [String]
        let calls: Int?
    }

    func add(to router: RouterGroup<AdminRequestContext>) {
        router.get("retention") { _, context -> [RetentionView] in
            let principal = try context.require(.readConfiguration)
            let policy = try await backend.run { RetentionPolicy(try backend.tenant(principal).retentionSettings()) }
            return RetentionCategory.allCases.map { category in
                var changeable = true
                if case .fixed = category.allowedDays { changeable = false }
                return RetentionView(kind: category.rawValue, days: policy[category], allowed: category.allowedDays.description, changeable: changeable)
            }
        }
        router.put("retention/:kind") { request, context -> HTTPResponse.Status in
            let principal = try context.require(.manageCompliance)
            let kind = try context.parameters.require("kind")
            guard let category = RetentionCategory(rawValue: kind) else {
                throw Problem.notFound("kind of data \(kind) (one of \(RetentionCategory.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            let days = try await JSONBody.decode(RetentionChange.self, from: request, context: context, limit: 1024).days
            try await backend.run {
                let tenant = try backend.tenant(principal)
                var policy = RetentionPolicy(try tenant.retentionSettings())
                let before = policy[category]
                do { try policy.set(category, to: days) } catch { throw Problem.invalid("\(error)") }
                try tenant.storeRetentionSettings(policy.stored)
                try tenant.audit(AuditEvent(
                    action: "retention.set", actor: principal.actor, details: ["kind": category.rawValue, "from_days": "\(before)", "to_days": "\(days)"]
                ))
            }
            return .noContent
        }
        router.post("privacy/erasures") { request, context -> EditedResponse<ErasureView> in
            let principal = try context.require(.changePersonalData)
            let person = try Self.subject(try await JSONBody.decode(Subject.self, from: request, context: context, limit: 1024).subject)
            let soft = try await backend.run {
                let tenant = try backend.tenant(principal)
                if case .user(let email) = person { try Self.mayChange(user: email, by: principal, removingAccess: true, in: tenant) }
                return try tenant.requestErasure(of: person, actor: principal.actor)
            }
            return EditedResponse(status: .accepted, response: ErasureView(
                id: soft.request.id, subjectId: soft.request.subjectID, requestedAt: soft.request.requestedAt, hardDeleteDueAt: soft.request.hardDeleteDueAt,
                callsHidden: soft.calls, messagesHidden: soft.voicemails, receiversToTell: soft.eraseMessages
            ))
        }
        router.post("privacy/exports") { request, context -> Response in
            let principal = try context.require(.changePersonalData)
            let person = try Self.subject(try await JSONBody.decode(Subject.self, from: request, context: context, limit: 1024).subject)
            let now = backend.now()
            guard backend.startExport() else {
                throw Problem(.serviceUnavailable, "busy", "Busy", "another export is being built; try again in a minute", retryAfter: 30)
            }
            defer { backend.endExport() }
            let archive = try await backend.run {
                if case .user(let email) = person { try Self.mayChange(user: email, by: principal, removingAccess: false, in: try backend.tenant(principal)) }
                do {
                    let (_, files) = try SubjectExport.build(
                        person, of: try backend.tenant(principal), actor: principal.actor, now: now, maximumBytes: ExportArchive.maximumBytes
                    )
                    return try ExportArchive.zip(files, at: now)
                } catch let error as SubjectExportError where error.tooLargeBytes != nil {
                    throw ExportArchive.tooLarge(error.tooLargeBytes ?? 0)
                }
            }
            let day = ISO8601DateFormatter.string(from: now, timeZone: .gmt, formatOptions: [.withFullDate])
            return Response(
                status: .ok,
                headers: [.contentType: "application/zip", .contentDisposition: "attachment; filename=\"subject-export-\(day).zip\""],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: archive))
            )
        }
        router.post("privacy/rectifications") { request, context -> RectificationView in
            let principal = try context.require(.changePersonalData)
            let body = try await JSONBody.decode(Rectification.self, from: request, context: context, limit: 4096)
            let person = try Self.subject(body.subject)
            return try await backend.run {
                let tenant = try backend.tenant(principal)
                switch person {
                case .caller(let number):
                    guard let corrected = body.number, body.email == nil, body.displayName == nil else {
                        throw Problem.invalid("a caller's record is corrected with \"number\" only")
                    }
                    let calls = try tenant.rectify(caller: number, to: try PhoneNumber(corrected), actor: principal.actor)
                    return RectificationView(corrected: ["calls"], calls: calls)
                case .user(let email):
                    try Self.mayChange(user: email, by: principal, removingAccess: false, in: tenant)
                    guard body.number == nil, body.email != nil || body.displayName != nil else {
                        throw Problem.invalid("a user's record is corrected with \"email\" and/or \"display_name\"")
                    }
                    return RectificationView(
                        corrected: try tenant.rectify(user: email, newEmail: body.email, newDisplayName: body.displayName, actor: principal.actor), calls: nil
                    )
                }
            }
        }
        router.post("privacy/restrictions") { request, context -> HTTPResponse.Status in
            let principal = try context.require(.changePersonalData)
            let email = try Self.userEmail(try await JSONBody.decode(Subject.self, from: request, context: context, limit: 1024).subject)
            try await backend.run {
                let tenant = try backend.tenant(principal)
                try Self.mayChange(user: email, by: principal, removingAccess: true, in: tenant)
                _ = try tenant.restrict(user: email, actor: principal.actor)
            }
            return .noContent
        }
        router.post("privacy/restrictions/lift") { request, context -> HTTPResponse.Status in
            let principal = try context.require(.changePersonalData)
            let email = try Self.userEmail(try await JSONBody.decode(Subject.self, from: request, context: context, limit: 1024).subject)
            try await backend.run {
                let tenant = try backend.tenant(principal)
                try Self.mayChange(user: email, by: principal, removingAccess: false, in: tenant)
                try tenant.liftRestriction(user: email, actor: principal.actor)
            }
            return .noContent
        }
    }

    /// As for `/users`: only an owner acts on an owner, and the organisation's
    /// last owner who can sign in is never shut out (restricted or erased).
    static func mayChange(user email: String, by principal: AdminPrincipal, removingAccess: Bool, in tenant: TenantVault) throws {
        guard let target = try tenant.user(email: email) else { return }
        if target.user.role == .owner, principal.role != .owner {
            throw Problem(.forbidden, "forbidden", "Not allowed for this role", "only an owner may act on an owner's data or access")
        }
        if removingAccess, try tenant.isOnlyActiveOwner(target.user.id) { throw Problem.onlyOwner(target.user.id) }
    }

    static func subject(_ text: String) throws -> DataSubject {
        guard text.count <= 320 else { throw Problem.invalid("subject: a phone number or an e-mail address") }
        do {
            return try DataSubject(parsing: text)
        } catch {
            throw Problem.invalid("subject: \(error.description)")
        }
    }

    /// Restriction is of users (who sign in): callers' data is restricted by erasing it.
    static func userEmail(_ text: String) throws -> String {
        guard case .user(let email) = try subject(text) else {
            throw Problem.invalid("subject: restriction applies to a user's e-mail address; a caller's data is hidden by an erasure request")
        }
        return email
    }
}
