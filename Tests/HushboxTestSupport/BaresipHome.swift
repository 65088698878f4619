import Foundation

/// A configuration directory for baresip 1.0 (Debian) as INTEROP-NOTES.md
/// describes it: loopback only, no sound card, one account that answers
/// automatically, audio from `audioSource` (e.g. `ausine,440` or `aufile,FILE`).
/// Its RTP ports stay clear of Hushbox's default media range (20000–20999).
public enum BaresipHome {
    public static let executable = "/usr/bin/baresip"

    /// Writes `config`, `accounts` and `contacts` into `directory`.
    /// - Parameter account: the account line, e.g. `<sip:tester@127.0.0.1>;regint=0;…`.
    /// - Parameter controlPort: where ``BaresipControl`` reaches it, if anywhere.
    /// - Parameter recordingDirectory: where its sndfile module writes what it hears and says, as WAV files.
    public static func write(
        in directory: String, sipPort: Int, audioSource: String, account: String, controlPort: Int? = nil, recordingDirectory: String? = nil
    ) throws {
        let control = controlPort.map { "module ctrl_tcp.so\nctrl_tcp_listen 127.0.0.1:\($0)\n" } ?? ""
        let recording = recordingDirectory.map { "module sndfile.so\nsnd_path \($0)\n" } ?? ""
        let sourceModule = audioSource.split(separator: ",").first.map(String.init) ?? "ausine"
        try """
            module_path /usr/lib/baresip/modules
            sip_listen 127.0.0.1:\(sipPort)
            net_interface 127.0.0.1
            dns_server 127.0.0.1:53
            audio_source \(audioSource)
            audio_player aubridge,nullsink
            audio_alert aubridge,nullsink
            ausrc_srate 48000
            ausrc_channels 1
            module g711.so
            module opus.so
            module srtp.so
            module \(sourceModule).so
            module aubridge.so
            module account.so
            module menu.so
            module_app contact.so
            rtp_ports 30000-30999
            \(control)\(recording)
            """.write(toFile: directory + "/config", atomically: true, encoding: .utf8)
        try (account + "\n").write(toFile: directory + "/accounts", atomically: true, encoding: .utf8)
        try "".write(toFile: directory + "/contacts", atomically: true, encoding: .utf8)
    }
}
