import ArgumentParser
import Foundation
import HushboxService
import Media
import Vault
import Voicemail

struct VoicemailCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "voicemail",
        abstract: "List, export and delete the messages callers left.",
        subcommands: [List.self, Export.self, Delete.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A mailbox's messages, newest first: id, time (UTC), length, caller (masked, or withheld), whether it was cut off, heard, the consent it was recorded under, and why it was forwarded (busy, no answer, unconditional, unavailable).",
            discussion: "--reveal shows callers' full numbers and records that you did in the audit log."
        )

        @OptionGroup var options: ConfigurationOptions
        @OptionGroup var tenantOption: TenantOption
        @Option(help: ArgumentHelp("The mailbox id (see `hushbox mailbox list`).", valueName: "id")) var mailbox: String
        @Flag(help: "Show callers' full numbers (audited).") var reveal = false

        func run() async throws {
            let tenant = try await tenantOption.open(options)
            do {
                let messages = try tenant.voicemails(mailboxID: mailbox)
                if reveal {
                    try tenant.audit(AuditEvent(
                        action: "voicemail.numbers_revealed", actor: CommandActor.current, details: ["mailbox_id": mailbox, "messages": "\(messages.count)"]
                    ))
                }
                let formatter = ISO8601DateFormatter()
                for message in messages {
                    let call = try tenant.call(message.callID)
                    // A caller without a number is withheld: they hid it, or sent none the box could read.
                    let shown = call?.counterparty.map { reveal ? $0.e164 : $0.maskedForDisplay } ?? "withheld"
                    let cut = try message.objectID.flatMap { try tenant.object($0) }?.state == .cut
                    let seconds = Double(message.duration.components.seconds) + Double(message.duration.components.attoseconds) / 1e18
                    print([
                        message.id, formatter.string(from: message.createdAt), String(format: "%.1fs", seconds), shown,
                        cut ? "cut-off" : "complete", message.heard ? "heard" : "new", VoicemailCommand.describe(try tenant.consents(call: message.callID).first),
                        call?.divertedBecause.map { "forwarded: \($0.rawValue.replacingOccurrences(of: "_", with: " "))" } ?? "not forwarded",
                    ].joined(separator: "  "))
                }
            } catch {
                throw CommandFailure.failed("\(error)")
            }
        }
    }

    /// The consent column: what the caller agreed to, in the language they were asked in.
    static func describe(_ consent: Consent?) -> String {
        switch consent?.kind {
        case .priorExpress?: "consent given (\(consent?.language ?? ""))"
        case .notRequired?: "no consent needed (\(consent?.language ?? ""))"
        case .declined?: "consent declined"
        case nil: "consent unknown"
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a message decrypted to FILE.opus (as stored) or FILE.wav (16 kHz PCM); mode 0600. Audited.",
            discussion: "The file holds personal data in the clear: keep it on the box or move it only to where the customer's policy allows."
        )

        @OptionGroup var options: ConfigurationOptions
        @OptionGroup var tenantOption: TenantOption
        @Argument(help: "The message id (see `hushbox voicemail list`).") var id: String
        @Option(help: ArgumentHelp("Where to write it; the extension (.opus or .wav) chooses the format.", valueName: "file")) var out: String

        func run() async throws {
            let wav = out.lowercased().hasSuffix(".wav")
            guard wav || out.lowercased().hasSuffix(".opus") else {
                throw CommandFailure.failed("--out \(out): name a .opus or a .wav file")
            }
            let tenant = try await tenantOption.open(options)
            let bytes: [UInt8]
            do {
                guard let message = try tenant.voicemail(id), message.state == .active, let objectID = message.objectID else {
                    throw CommandFailure.failed("there is no message \(id)")
                }
                // A cut-off message reads up to its last whole chunk.
                let stored = try tenant.openObject(objectID).readAll().bytes
                bytes = wav ? WAVFile.encode(try OggOpusReader.read(stored).decode(sampleRate: 16_000), sampleRate: 16_000) : stored
                try tenant.audit(AuditEvent(
                    action: "voicemail.exported", actor: CommandActor.current, details: ["voicemail_id": id, "format": wav ? "wav" : "opus"]
                ))
            } catch let error as ExitCode {
                throw error
            } catch {
                throw CommandFailure.failed("\(error)")
            }
            // A message in clear: a new file, 0600 from its first byte, never through a link left at the path.
            do {
                try ServiceAccount.asAdministrator { try PrivateFile.create(out, contents: bytes) }
            } catch {
                throw CommandFailure.failed("\(error); choose a new file name (an existing file or link is never replaced)")
            }
            print("wrote \(out) (\(bytes.count) bytes)")
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete a message: hidden at once, its audio destroyed by the purge after the soft-delete window. Audited."
        )

        @OptionGroup var options: ConfigurationOptions
        @OptionGroup var tenantOption: TenantOption
        @Argument(help: "The message id.") var id: String

        func run() async throws {
            let tenant = try await tenantOption.open(options)
            do {
                guard try tenant.softDelete(voicemail: id) else { throw CommandFailure.failed("there is no message \(id)") }
                try tenant.audit(AuditEvent(action: "voicemail.deleted", actor: CommandActor.current, details: ["voicemail_id": id]))
            } catch let error as VaultError {
                throw CommandFailure.failed("\(error)")
            }
            print("deleted \(id)")
        }
    }
}
