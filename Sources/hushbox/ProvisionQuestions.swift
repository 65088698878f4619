import Foundation
import HushboxService
import Uplink
import Vault
import Voicemail

/// What `hushbox provision` asks a technician at a terminal when there is no
/// bundle: each question with its default in brackets, each answer checked at
/// once and asked again when wrong, secrets read without echo. The answers
/// become the same contents a bundle carries, applied the same way.
struct ProvisionQuestions {
    /// Longest answer accepted to any question.
    static let answerLimit = 1024

    var now: Date

    struct Answers {
        var contents: BundleContents
        var secrets: [String: String]
    }

    /// Asks until each answer passes `check` (which returns what is wrong, or nil).
    private func ask(_ question: String, default fallback: String? = nil, hidden: Bool = false, check: (String) -> String? = { _ in nil }) throws -> String {
        while true {
            let prompt = question + (fallback.map { $0.isEmpty ? " [none]" : " [\($0)]" } ?? "") + ": "
            let typed = try hidden ? TerminalInput.readHidden(prompt: prompt, limit: Self.answerLimit) : TerminalInput.read(prompt: prompt, limit: Self.answerLimit)
            // A password is taken as typed, spaces and all; other answers are trimmed.
            let trimmed = hidden ? typed : typed.trimmingCharacters(in: .whitespaces)
            let answer = trimmed.isEmpty ? (fallback ?? "") : trimmed
            if answer.isEmpty, fallback == nil {
                FileHandle.standardError.write(Data("  an answer is needed\n".utf8))
                continue
            }
            if let problem = check(answer) {
                FileHandle.standardError.write(Data("  \(problem)\n".utf8))
                continue
            }
            return answer
        }
    }

    private func yes(_ question: String, default fallback: Bool) throws -> Bool {
        try ask(question + " (yes/no)", default: fallback ? "yes" : "no") { ["yes", "no", "y", "n"].contains($0.lowercased()) ? nil : "answer yes or no" }
            .lowercased().hasPrefix("y")
    }

    private static func oneOf(_ choices: [String]) -> (String) -> String? {
        { choices.contains($0) ? nil : "one of \(choices.joined(separator: ", "))" }
    }

    private static func addresses(_ text: String) -> [String] {
        text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    private static func addressList(_ text: String) -> String? {
        let listed = addresses(text)
        guard !listed.isEmpty else { return "give at least one address" }
        return listed.first { !BundleProvisioner.isAddressOrPrefix($0) }.map { "\($0) is not an IP address or prefix such as 192.0.2.10 or 192.0.2.0/24" }
    }

    func run() throws -> Answers {
        var configuration: [String: BundleSetting] = [:]
        var secrets: [String: String] = [:]
        let host = ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "hushbox"
        let name = try ask("Box name", default: host) { text in
            text.count <= 63 && !text.hasPrefix("-") && !text.hasSuffix("-") && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
                ? nil : "1 to 63 letters, digits or hyphens, not starting or ending with a hyphen"
        }
        configuration["device.name"] = .text(name)
        let organisation = try ask("The customer's organisation") { $0.count <= 200 ? nil : "at most 200 characters" }
        let number = try ask("The mailbox's number (E.164, such as +4930123456)") { text in
            do { _ = try PhoneNumber(text); return nil } catch { return "\(error)" }
        }
        let language = try ask("Prompt language (\(PromptLanguage.codes))", default: "de") { PromptLanguage(code: $0) == nil ? "one of \(PromptLanguage.codes)" : nil }

        let arrival = try ask("How calls reach the box: trunk (a SIP provider it registers with), pbx (a phone system on the premises) or line (a telephone line)", default: "trunk", check: Self.oneOf(["trunk", "pbx", "line"]))
        switch arrival {
        case "trunk":
            let registrar = try ask("The trunk's registrar (such as sip:sip.example.eu)") { $0.hasPrefix("sip:") || $0.hasPrefix("sips:") ? nil : "a SIP URI, starting sip:" }
            configuration["sip.peers.trunk.kind"] = .text("trunk")
            configuration["sip.peers.trunk.registrar"] = .text(registrar)
            configuration["sip.peers.trunk.registration_username"] = .text(try ask("Its user name") { $0.contains(" ") ? "no spaces" : nil })
            secrets["sip-peer-trunk"] = try ask("Its password", hidden: true)
            let resolved = (try? AddressLookup.addresses(of: AddressLookup.host(ofURL: registrar) ?? "")) ?? []
            configuration["sip.peers.trunk.sources"] = .list(Self.addresses(try ask(
                "Addresses the trunk sends calls and media from (comma-separated)", default: resolved.isEmpty ? nil : resolved.joined(separator: ", "), check: Self.addressList)))
        case "pbx":
            configuration["sip.peers.pbx.kind"] = .text("device")
            configuration["sip.peers.pbx.sources"] = .list(Self.addresses(try ask("The phone system's address", check: Self.addressList)))
            if try !yes("Does it use TLS and SRTP", default: true) {
                FileHandle.standardError.write(Data("  its calls will cross the network unencrypted: set it up for TLS and SRTP when it can\n".utf8))
                configuration["sip.peers.pbx.plaintext"] = .flag(true)
            }
        default:
            configuration["line.enabled"] = .flag(true)
            configuration["line.mailbox"] = .text(number)
            configuration["line.board"] = .text(try ask("The line board", default: "raspberrypi4", check: Self.oneOf(["raspberrypi4", "raspberrypi5", "generic-x86_64"])))
            configuration["line.country"] = .text(try ask("The exchange's country", default: "de", check: Self.oneOf(["de", "at", "ch", "pl", "fr", "it", "es", "nl", "gb", "us"])))
        }

        var subProcessors: [BundleContents.SubProcessor] = []
        if try yes("Forward messages to the customer's backend", default: true) {
            let url = try ask("Its URL (https://…)") { URL(string: $0)?.scheme == "https" && URL(string: $0)?.host != nil ? nil : "an https URL" }
            let region = try ask("The country hosting it (two letters)") { text in
                guard let region = try? DataRegion(text) else { return "a two-letter country code such as DE" }
                return ResidencyPolicy.eu.refusal(of: "it", in: region)
            }
            configuration["uplink.destinations.backend.url"] = .text(url)
            configuration["uplink.destinations.backend.region"] = .text(region.uppercased())
            let key = try ask("Its public key for sealing messages (base64)", default: "") { $0.isEmpty || Data(base64Encoded: $0)?.count == 32 ? nil : "32 bytes in base64 (44 characters)" }
            if !key.isEmpty { configuration["uplink.destinations.backend.public_key"] = .text(key) }
            let pin = try ask("The SHA-256 pin of its CA's key (64 hex digits)", default: "") { $0.isEmpty || ($0.count == 64 && $0.allSatisfy(\.isHexDigit)) ? nil : "64 hex digits" }
            if !pin.isEmpty { configuration["uplink.destinations.backend.pin_sha256"] = .text(pin.lowercased()) }
            if try yes("Does the customer run it themselves", default: true) {
                configuration["uplink.destinations.backend.operated_by"] = .text("customer")
            } else {
                let purpose = try ask("What it does with the messages (customers are told)")
                subProcessors.append(.init(name: "backend", purpose: purpose, region: region.uppercased()))
            }
            secrets["uplink-backend"] = try ask("Its signing secret (whsec_…)", hidden: true) { $0.hasPrefix("whsec_") ? nil : "the whsec_… line hushbox-ingest keygen made" }
        }
        let lan = try ask("The customer's network the box may reach (prefixes, comma-separated)", default: "") { $0.isEmpty ? nil : Self.addressList($0) }
        let apiKey = try yes("Make an API key for the customer's scripts", default: true)

        let mailbox = BundleContents.Mailbox(number: number, language: language)
        let contents = BundleContents(
            bundleID: "terminal-\(Int(now.timeIntervalSince1970))", createdAt: now, expiresAt: now.addingTimeInterval(3600), configuration: configuration,
            lan: Self.addresses(lan), organisation: .init(name: organisation), mailboxes: [mailbox], subProcessors: subProcessors,
            apiKey: apiKey ? .init(label: "first key, made at provisioning") : nil
        )
        return Answers(contents: contents, secrets: secrets)
    }
}
