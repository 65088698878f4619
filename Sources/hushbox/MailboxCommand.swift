import ArgumentParser
import Foundation
import HushboxService
import Media
import Vault
import Voicemail

struct MailboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mailbox",
        abstract: "Manage voice mailboxes: who reaches them, in which language, and what they keep.",
        subcommands: [Create.self, List.self, Update.self, Delete.self]
    )

    /// The settings `create` and `update` share; unset ones keep their value (or the default).
    struct Settings: ParsableArguments {
        @Option(help: ArgumentHelp("The E.164 number that reaches it, e.g. +4930123456.", valueName: "number"))
        var number: String?
        @Option(name: .customLong("sip-user"), help: ArgumentHelp("The SIP user that reaches it, e.g. 100.", valueName: "user"))
        var sipUser: String?
        @Option(name: .customLong("name"), help: ArgumentHelp("Display name (stored sealed).", valueName: "text"))
        var displayName: String?
        @Option(help: ArgumentHelp("Prompt language for callers whose country does not choose one: \(PromptLanguage.codes).", valueName: "code"))
        var language: String?
        @Option(
            name: .customLong("pin-file"),
            help: ArgumentHelp(
                "A file holding the PIN for listening by phone, 4 to 10 digits (stored as an Argon2id hash); '-' reads it from standard input.",
                valueName: "file|-"))
        var pinFile: String?
        /// Refused: a PIN on the command line is in the process list and the shell's history.
        @Option(name: .customLong("pin"), help: .hidden)
        var pinOnCommandLine: String?

        /// The PIN `--pin-file` names, read and checked before anything is stored.
        func pin() throws -> String? {
            if pinOnCommandLine != nil {
                throw CommandFailure.failed(
                    "--pin puts the PIN in the process list and your shell's history; use --pin-file FILE, or --pin-file - and type it on standard input")
            }
            guard let pinFile else { return nil }
            let text: String
            do {
                text = try PINInput.read(pinFile)
            } catch .tooLong {
                throw CommandFailure.failed("--pin-file \(pinFile): a PIN is one line of 4 to 10 digits; the first line is longer than \(PINInput.limit) bytes")
            } catch .unreadable(let reason) {
                throw CommandFailure.failed("--pin-file \(pinFile): cannot read it: \(reason)")
            } catch .interrupted {
                throw CommandFailure.failed("--pin-file -: interrupted; nothing was changed")
            }
            guard (4...10).contains(text.count), text.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                throw CommandFailure.failed("--pin-file \(pinFile): a PIN is one line of 4 to 10 digits\(text.isEmpty ? "; nothing was read" : "")")
            }
            return text
        }
        @Option(name: .customLong("max-seconds"), help: ArgumentHelp("Longest message, in seconds (default 180).", valueName: "seconds"))
        var maxSeconds: Int?
        @Option(name: .customLong("max-messages"), help: ArgumentHelp("Messages kept before callers hear 'mailbox full' (default 100).", valueName: "count"))
        var maxMessages: Int?
        @Option(help: ArgumentHelp("Record messages (on), or play the greeting and keep only call metadata (off).", valueName: "on|off"))
        var recording: Toggle?
        @Option(help: ArgumentHelp("Ask DE, AT, CH and PL callers for DTMF consent before recording (default on).", valueName: "on|off"))
        var consent: Toggle?
        @Option(help: ArgumentHelp("The recording disclaimer. It cannot be turned off while recording is on.", valueName: "on|off"))
        var disclaimer: Toggle?
        @Option(help: ArgumentHelp(
            "The mailbox's own greeting, an Ogg Opus file (opusenc greeting.wav greeting.opus), stored encrypted; 'default' goes back to "
                + "the spoken default. Callers still hear the recording disclaimer before it.",
            valueName: "file.opus|default"))
        var greeting: String?
        @Option(name: .customLong("busy-greeting"), help: ArgumentHelp(
            "The greeting for calls forwarded because the line was busy (History-Info or Diversion say so); 'default' goes back to the standard one.",
            valueName: "file.opus|default"))
        var busyGreeting: String?
        @Option(name: .customLong("unavailable-greeting"), help: ArgumentHelp(
            "The greeting for calls forwarded because nobody answered or the phone could not be reached; 'default' goes back to the standard one.",
            valueName: "file.opus|default"))
        var unavailableGreeting: String?

        /// What a greeting option asks for, the file read and checked before anything is stored.
        enum GreetingChange {
            case own([UInt8])
            case standard
        }

        /// Every greeting change asked for, each file read and checked before anything is stored.
        func greetingChanges() throws -> [(GreetingPurpose, GreetingChange)] {
            try [(GreetingPurpose.standard, greeting, "--greeting"), (.busy, busyGreeting, "--busy-greeting"), (.unavailable, unavailableGreeting, "--unavailable-greeting")]
                .compactMap { purpose, value, option in try value.map { (purpose, try Self.greetingChange(value: $0, option: option)) } }
        }

        static func greetingChange(value greeting: String, option: String) throws -> GreetingChange {
            if greeting == "default" { return .standard }
            guard let data = FileManager.default.contents(atPath: greeting) else {
                throw CommandFailure.failed("\(option) \(greeting): cannot read the file")
            }
            let stream: OggOpusStream
            do {
                stream = try OggOpusReader.read(Array(data))
            } catch {
                throw CommandFailure.failed("\(option) \(greeting): \(error). Make one from a WAV file with: opusenc greeting.wav greeting.opus")
            }
            guard !stream.isCut, stream.duration >= .seconds(1), stream.duration <= .seconds(120) else {
                throw CommandFailure.failed("\(option) \(greeting): a greeting is a whole Ogg Opus file of 1 to 120 seconds; this one lasts \(stream.duration)\(stream.isCut ? " and is cut off" : "")")
            }
            return .own(Array(data))
        }

        func store(_ changes: [(GreetingPurpose, GreetingChange)], in tenant: TenantVault, mailboxID: String) throws {
            for (purpose, change) in changes {
                switch change {
                case .own(let audio): try tenant.setGreeting(audio, forMailbox: mailboxID, purpose: purpose, actor: CommandActor.current)
                case .standard: try tenant.removeGreeting(forMailbox: mailboxID, purpose: purpose, actor: CommandActor.current)
                }
            }
        }

        func apply(to mailbox: inout Mailbox) throws {
            let change = MailboxSettings(
                number: number, sipUser: sipUser, displayName: displayName, language: language, maxMessageSeconds: maxSeconds, maxMessages: maxMessages,
                recordingEnabled: recording.map { $0 == .on }, consentRequired: consent.map { $0 == .on }, disclaimer: disclaimer.map { $0 == .on }
            )
            do {
                try change.apply(to: &mailbox)
            } catch {
                let option: String? =
                    switch error.setting {
                    case .number: "--number"
                    case .sipUser: "--sip-user"
                    case .displayName: "--name"
                    case .language: "--language \(language ?? "")"
                    case .maxMessageSeconds: "--max-seconds"
                    case .maxMessages: "--max-messages"
                    case .disclaimer, .reachability: nil
                    }
                switch error.setting {
                case .reachability: throw CommandFailure.failed("a mailbox needs --number or --sip-user, or no call can reach it")
                case .disclaimer: throw CommandFailure.failed(error.reason + " (--recording off)")
                default: throw CommandFailure.failed(option.map { "\($0): \(error.reason)" } ?? error.reason)
                }
            }
        }
    }

    enum Toggle: String, ExpressibleByArgument, Sendable {
        case on, off
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a mailbox; prints its id.")

        @OptionGroup var options: ConfigurationOptions
        @OptionGroup var tenantOption: TenantOption
        @OptionGroup var settings: Settings

        func run() async throws {
            let tenant = try await tenantOption.open(options)
            var mailbox = Mailbox()
            try settings.apply(to: &mailbox)
            let greetings = try settings.greetingChanges()
            let pin = try settings.pin()
            do {
                try tenant.insert(mailbox)
                if let pin { try tenant.setPIN(pin, forMailbox: mailbox.id, actor: CommandActor.current) }
                try settings.store(greetings, in: tenant, mailboxID: mailbox.id)
                try tenant.audit(AuditEvent(action: "mailbox.created", actor: CommandActor.current, details: ["mailbox_id": mailbox.id]))
            } catch {
                throw CommandFailure.failed("\(error)")
            }
            print(mailbox.id)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List mailboxes: id, SIP user, number (masked), language, limits, recording, consent and greetings (own:standard,busy,unavailable).")

        @OptionGroup var options: ConfigurationOptions
        @OptionGroup var tenantOption: TenantOption

        func run() async throws {
            let tenant = try await tenantOption.open(options)
            do {
                for mailbox in try tenant.mailboxes() {
                    let stored = try tenant.voicemailCount(mailboxID: mailbox.id)
                    let own = try tenant.greetingPurposes(forMailbox: mailbox.id)
                    let greetings = GreetingPurpose.allCases.filter(own.contains).map(\.rawValue)
                    print([
                        mailbox.id, "sip-user=\(mailbox.sipUser ?? "-")", "number=\(mailbox.number?.maskedForDisplay ?? "-")",
                        "language=\(mailbox.language)", "messages=\(stored)/\(mailbox.maxMessages)", "max-seconds=\(mailbox.maxMessageSeconds)",
                        "recording=\(mailbox.recordingEnabled ? "on" : "off")", "consent=\(mailbox.consentRequired ? "on" : "off")",
                        "greeting=\(greetings.isEmpty ? "default" : "own:" + greetings.joined(separator: ","))",
                    ].joined(separator: "  "))
                }
            } catch {
                throw CommandFailure.failed("\(error)")
            }
        }
    }

    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change a mailbox's settings; unnamed ones stay as they are.")

        @OptionGroup var options: ConfigurationOptions
        @OptionGroup var tenantOption: TenantOption
        @Argument(help: "The mailbox id.") var id: String
        @OptionGroup var settings: Settings

        func run() async throws {
            let tenant = try await tenantOption.open(options)
            do {
                guard var mailbox = try tenant.mailbox(id) else { throw CommandFailure.failed("there is no mailbox \(id)") }
                try settings.apply(to: &mailbox)
                let greetings = try settings.greetingChanges()
                let pin = try settings.pin()
                try tenant.update(mailbox)
                if let pin { try tenant.setPIN(pin, forMailbox: mailbox.id, actor: CommandActor.current) }
                try settings.store(greetings, in: tenant, mailboxID: mailbox.id)
                try tenant.audit(AuditEvent(action: "mailbox.updated", actor: CommandActor.current, details: ["mailbox_id": mailbox.id]))
            } catch let error as VaultError {
                throw CommandFailure.failed("\(error)")
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a mailbox that holds no messages.")

        @OptionGroup var options: ConfigurationOptions
        @OptionGroup var tenantOption: TenantOption
        @Argument(help: "The mailbox id.") var id: String

        func run() async throws {
            let tenant = try await tenantOption.open(options)
            do {
                guard try tenant.voicemails(mailboxID: id, includingDeleted: true).isEmpty else {
                    throw CommandFailure.failed("mailbox \(id) still holds messages: delete them first (hushbox voicemail list --mailbox \(id))")
                }
                guard try tenant.deleteMailbox(id) else { throw CommandFailure.failed("there is no mailbox \(id)") }
                try tenant.audit(AuditEvent(action: "mailbox.deleted", actor: CommandActor.current, details: ["mailbox_id": id]))
            } catch let error as VaultError {
                throw CommandFailure.failed("\(error)")
            }
        }
    }
}
