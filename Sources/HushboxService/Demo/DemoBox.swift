import Foundation
internal import Vault

/// `make run`'s demonstration: a phone on this machine allowed to call, an
/// organisation with mailbox 100 made on first start, a baresip
/// configuration for that phone, and the lines that tell a newcomer how to
/// call and then hear the message. Development configuration only.
public struct DemoBox: Sendable {
    static let componentName = "demo"
    static let phonePeerName = "demo-phone"
    static let mailboxUser = "100"
    /// A drama number (Ofcom's 01632 960xxx range): it reaches nobody.
    static let phoneNumber = "+441632960123"
    /// baresip's own SIP port; its TLS port is the next one.
    static let phoneSIPPort = 5070

    let tenantID: String
    let mailboxID: String
    /// Where the demo phone's baresip configuration lives.
    let phoneDirectory: String
    /// How to run the `hushbox` command against this box, e.g. `.build/debug/hushbox … --dev`.
    let command: (executable: String, options: String)

    /// The configuration with a loopback phone added, when it names no peers:
    /// a device on 127.0.0.1 that must use TLS and SRTP like any other.
    public static func withLoopbackPhone(_ loaded: LoadedConfiguration) -> LoadedConfiguration {
        guard loaded.configuration.sip.peers.isEmpty else { return loaded }
        var configuration = loaded.configuration
        configuration.sip.peers = [.init(name: phonePeerName, kind: .device, sources: ["127.0.0.1"], plaintext: false)]
        return LoadedConfiguration(configuration: configuration, effectiveSettings: loaded.effectiveSettings, sources: loaded.sources)
    }

    /// Finds mailbox 100, creating the demo organisation and the mailbox on
    /// a box that has no organisation yet. Nil when organisations exist but
    /// none has a mailbox for SIP user 100 (the newcomer made their own).
    /// - Parameter command: the `hushbox` executable and the options that reach this box.
    public static func prepare(
        _ checks: StartupChecks, dataDirectory: String, command: (executable: String, options: String)
    ) throws -> DemoBox? {
        let vault = checks.vault
        if try vault.tenantIDs().isEmpty {
            let tenant = try vault.createTenant(name: "Demo")
            try tenant.audit(AuditEvent(action: "tenant.created", actor: "system:demo"))
            let mailbox = Mailbox(sipUser: mailboxUser, displayName: "Demo mailbox", language: "en")
            try tenant.insert(mailbox)
            try tenant.audit(AuditEvent(action: "mailbox.created", actor: "system:demo", details: ["mailbox_id": mailbox.id]))
        }
        for tenantID in try vault.tenantIDs() {
            if let mailbox = try vault.tenant(tenantID).mailbox(sipUser: mailboxUser) {
                return DemoBox(tenantID: tenantID, mailboxID: mailbox.id, phoneDirectory: dataDirectory + "/demo-phone", command: command)
            }
        }
        return nil
    }

    /// The SIP URI that reaches mailbox 100 over TLS.
    static func uri(address: String, tlsPort: Int) -> String {
        "sip:\(mailboxUser)@\(address):\(tlsPort);transport=tls"
    }

    /// Writes the demo phone's baresip configuration (see ../shared/INTEROP-NOTES.md):
    /// loopback only, answers nothing, offers Opus and PCMU with mandatory SRTP.
    /// With a sound card it uses the microphone; without, it sends a 440 Hz tone.
    func writePhone(address: String) throws {
        try PrivateFile.ensureDirectory(phoneDirectory)
        let audio = Self.hasSoundCard()
            ? "audio_source alsa,default\naudio_player alsa,default\naudio_alert alsa,default\nausrc_channels 1\nmodule alsa.so"
            // ausine makes stereo only.
            : "audio_source ausine,440\naudio_player aubridge,nullsink\naudio_alert aubridge,nullsink\nausrc_channels 2\nmodule ausine.so\nmodule aubridge.so"
        let config = """
            # Written by hushboxd --demo on every start; edit hushbox's DemoBox, not this file.
            module_path /usr/lib/baresip/modules
            sip_listen \(address):\(Self.phoneSIPPort)
            net_interface \(address)
            dns_server 127.0.0.1:53
            ausrc_srate 48000
            \(audio)
            module g711.so
            module opus.so
            module srtp.so
            module account.so
            module menu.so
            module_app contact.so
            rtp_ports 30000-30999

            """
        let account = "<sip:\(Self.phoneNumber)@\(address)>;regint=0;audio_codecs=opus/48000/2|pcmu;mediaenc=srtp-mand\n"
        for (name, text) in [("config", config), ("accounts", account), ("contacts", "")] {
            // Written afresh on every start: what was there goes (a symbolic link as a link,
            // never its target), and the new file is 0600 from its first byte.
            let path = phoneDirectory + "/" + name
            unlink(path)
            try PrivateFile.create(path, contents: Array(text.utf8))
        }
    }

    /// The walk-through printed after the start-up summary.
    func walkThrough(uri: String) -> String {
        let soundCard = Self.hasSoundCard()
        let hushbox = "\(command.executable) voicemail"
        return """

            Demo: mailbox 100 of the organisation "Demo" answers at
              \(uri)
            Call it over TLS with SRTP from this machine (Debian: apt-get install baresip-core):
              baresip -f \(phoneDirectory) -e "/dial \(uri)"
            \(soundCard
                ? "Speak after the beep, then hang up with 'b' (or Ctrl-C baresip)."
                : "There is no sound card here, so baresip sends a 440 Hz tone as your message; stop it with Ctrl-C after the beep and a few seconds.")
            Then list and export what you left:
              \(hushbox) list \(command.options) --mailbox \(mailboxID)
              \(hushbox) export \(command.options) MESSAGE-ID --out message.wav
            """
    }

    private static func hasSoundCard() -> Bool {
        guard let cards = try? String(contentsOfFile: "/proc/asound/cards", encoding: .utf8) else { return false }
        return !cards.contains("no soundcards") && !cards.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
    }
}
