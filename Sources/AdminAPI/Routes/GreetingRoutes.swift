import AudioImport
import Foundation
import Hummingbird
import NIOCore
import Vault

/// A mailbox's own greetings: uploaded in any common audio format, made into
/// the box's 16 kHz Ogg Opus, stored sealed; played back for a check; removed
/// to go back to the default. Each change is audited by the vault.
struct GreetingRoutes {
    let backend: AdminBackend

    struct GreetingView: ResponseEncodable {
        let mailboxId: String
        let purpose: String
        let seconds: Double
    }

    func add(to router: RouterGroup<AdminRequestContext>) {
        router.put("mailboxes/:id/greetings/:purpose") { request, context -> GreetingView in
            let principal = try context.require(.changeConfiguration)
            let (mailboxID, purpose) = try Self.target(context)
            // Before a byte of the upload is read: an unknown mailbox costs nothing.
            guard try await backend.run({ try backend.tenant(principal).mailbox(mailboxID) != nil }) else { throw Problem.notFound("mailbox \(mailboxID)") }
            // One upload at a time on the box, its slot taken before a byte is read:
            // parallel uploads cannot hold many bodies in memory at once.
            guard backend.startUpload() else {
                throw Problem(.serviceUnavailable, "busy", "Busy", "another recording is being uploaded or converted; try again in a few seconds", retryAfter: 3)
            }
            defer { backend.endUpload() }
            let tooLarge = Problem(.contentTooLarge, "body-too-large", "Body too large", "a greeting file may have at most \(context.maxUploadSize >> 20) MiB")
            if let declared = request.headers[.contentLength].flatMap(Int.init), declared > context.maxUploadSize { throw tooLarge }
            let upload: ByteBuffer
            do {
                upload = try await request.body.collect(upTo: context.maxUploadSize)
            } catch {
                throw tooLarge
            }
            let bytes = Array(upload.readableBytesView)
            let greeting = try await backend.run {
                let tenant = try backend.tenant(principal)
                guard try tenant.mailbox(mailboxID) != nil else { throw Problem.notFound("mailbox \(mailboxID)") }
                let greeting: GreetingImport.Greeting
                do {
                    greeting = try GreetingImport.convert(bytes)
                } catch let error as AudioImportError {
                    throw Problem(.unprocessableContent, "not-a-greeting", "Cannot use this recording", error.description)
                }
                try tenant.setGreeting(greeting.oggOpus, forMailbox: mailboxID, purpose: purpose, actor: principal.actor)
                return greeting
            }
            return GreetingView(mailboxId: mailboxID, purpose: purpose.rawValue, seconds: (greeting.seconds * 10).rounded() / 10)
        }
        router.get("mailboxes/:id/greetings/:purpose") { _, context -> Response in
            let principal = try context.require(.readConfiguration)
            let (mailboxID, purpose) = try Self.target(context)
            let audio = try await backend.run { () throws -> [UInt8] in
                let tenant = try backend.tenant(principal)
                guard let audio = try tenant.greetingAudio(forMailbox: mailboxID, purpose: purpose) else {
                    throw Problem.notFound("\(purpose.rawValue) greeting of its own for mailbox \(mailboxID) (callers hear the default)")
                }
                // A greeting is someone's voice, often saying their name: listening is audited like a message.
                try backend.auditRead(
                    AuditEvent(action: "mailbox.greeting_played", actor: principal.actor, details: ["mailbox_id": mailboxID, "purpose": purpose.rawValue]),
                    of: mailboxID + "/" + purpose.rawValue, in: tenant
                )
                return audio
            }
            return Response(status: .ok, headers: [.contentType: "audio/ogg; codecs=opus"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: audio)))
        }
        router.delete("mailboxes/:id/greetings/:purpose") { _, context -> HTTPResponse.Status in
            let principal = try context.require(.changeConfiguration)
            let (mailboxID, purpose) = try Self.target(context)
            let removed = try await backend.run { try backend.tenant(principal).removeGreeting(forMailbox: mailboxID, purpose: purpose, actor: principal.actor) }
            guard removed else { throw Problem.notFound("\(purpose.rawValue) greeting of its own for mailbox \(mailboxID)") }
            return .noContent
        }
    }

    static func target(_ context: AdminRequestContext) throws -> (String, GreetingPurpose) {
        let purposeName = try context.parameters.require("purpose")
        guard let purpose = GreetingPurpose(rawValue: purposeName) else {
            throw Problem.notFound("greeting \(purposeName) (standard, busy or unavailable)")
        }
        return (try context.parameters.require("id"), purpose)
    }
}
