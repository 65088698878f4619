import Foundation
import HushboxTestSupport
import Media
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// hushboxd on the development configuration in a fresh directory, with one
/// organisation and mailbox 100, driven as its owner would: through the
/// `hushbox` command. Callers are real baresip processes over TLS with mandatory SRTP.
struct VoicemailBox {
    static let loopbackPhone = "sip:\n  peers:\n    phone:\n      kind: device\n      sources: [127.0.0.1]\n"

    let directory: TemporaryDirectory
    let file: String
    var daemon: ChildProcess
    var ports: [String: Int]
    var mailboxID = ""
    /// Further environment for hushboxd (e.g. a directory of short prompts).
    let environment: [String: String]

    var tlsPort: Int { ports["tls"] ?? 0 }

    /// - Parameter mailbox: extra `mailbox create` options.
    /// - Parameter directory: where the box lives; a fresh one when nil.
    init(
        configuration: String = Self.loopbackPhone, mailbox: [String] = [], in directory: TemporaryDirectory? = nil, environment: [String: String] = [:]
    ) async throws {
        self.directory = try directory ?? TemporaryDirectory(prefix: "hushbox-e2e")
        self.environment = environment
        file = try self.directory.write(configuration, to: "hushbox.yaml")
        (daemon, ports) = try await Self.start(directory: self.directory, file: file, environment: environment)
        #expect(try await hushbox(["tenant", "create", "Demo"]).status == 0)
        let created = try await hushbox(["mailbox", "create", "--sip-user", "100", "--language", "en"] + mailbox)
        #expect(created.status == 0, "\(created.errors)")
        mailboxID = created.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func start(directory: TemporaryDirectory, file: String, environment extra: [String: String] = [:]) async throws -> (ChildProcess, [String: Int]) {
        let notify = directory.child("notify-\(UInt32.random(in: 0...UInt32.max)).sock")
        let systemd = try NotifySocketListener(path: notify)
        defer { systemd.stop() }
        // HUSHBOX_TEST_HUSHBOXD runs another build of the daemon, e.g. a release build to measure capacity.
        let executable = try ProcessInfo.processInfo.environment["HUSHBOX_TEST_HUSHBOXD"] ?? BuiltProducts.path(of: "hushboxd")
        let daemon = try ChildProcess(
            executable, ["--dev", "--config", file], directory: directory.path,
            environment: HushboxdLifecycleTests.environment(["NOTIFY_SOCKET": notify, "HUSHBOX_OPS_PORT": "0"].merging(extra) { _, new in new })
        )
        let ready = try await systemd.messages.waitFor("READY=1", within: .seconds(60)) { $0.hasPrefix("READY=1") }
        var ports: [String: Int] = [:]
        for match in ready.matches(of: /(udp|tcp|tls) 127\.0\.0\.1:(\d+)/) {
            ports[String(match.output.1)] = Int(match.output.2)
        }
        if let ops = ready.firstMatch(of: /ops http:\/\/127\.0\.0\.1:(\d+)/) {
            ports["ops"] = Int(ops.output.1)
        }
        if let admin = ready.firstMatch(of: /admin https:\/\/127\.0\.0\.1:(\d+)/) {
            ports["admin"] = Int(admin.output.1)
        }
        try #require(ports["tls"] != nil, "\(ready)")
        return (daemon, ports)
    }

    mutating func restart() async throws {
        (daemon, ports) = try await Self.start(directory: directory, file: file, environment: environment)
    }

    func stop() async throws {
        daemon.send(SIGTERM)
        _ = try await daemon.waitForExit()
    }

    /// Ends a baresip caller: it stays up after its call until told to quit.
    static func stop(_ caller: ChildProcess) async {
        caller.send(SIGTERM)
        _ = try? await caller.waitForExit(within: .seconds(5))
    }

    @discardableResult
    func hushbox(_ arguments: [String]) async throws -> (status: Int32, output: String, errors: String) {
        try await ChildProcess.run(
            try BuiltProducts.path(of: "hushbox"), arguments + ["--dev", "--config", file], directory: directory.path,
            environment: HushboxdLifecycleTests.environment()
        )
    }

    /// The mailbox's messages as `voicemail list` prints them, one array of fields per message.
    func messages() async throws -> [[String]] {
        let listed = try await hushbox(["voicemail", "list", "--mailbox", mailboxID])
        #expect(listed.status == 0, "\(listed.errors)")
        return listed.output.split(separator: "\n").map { $0.components(separatedBy: "  ") }
    }

    /// The message decrypted, as 16 kHz samples.
    func export(_ id: String) async throws -> [Int16] {
        let out = directory.child("\(id).wav")
        let exported = try await hushbox(["voicemail", "export", id, "--out", out])
        #expect(exported.status == 0, "\(exported.errors)")
        return SpokenAudio.samples(ofWAV: try Data(contentsOf: URL(fileURLWithPath: out)))
    }

    /// The daemon's log line for the end of the next call.
    func callEnded(within limit: Duration = .seconds(90)) async throws -> String {
        try await daemon.standardError.waitFor("the call to end", within: limit) { $0.contains("voicemail call ended") }
    }

    /// baresip calling mailbox 100 (or `target`) over TLS with mandatory SRTP,
    /// offering only `codec`, from `caller`; reachable through `control` when
    /// given; writing what it hears into `recordingDirectory` when given.
    func call(
        codec: String, playing audioSource: String, caller: String = "+447700900123", control: BaresipControl? = nil,
        recordingDirectory: String? = nil, to target: String? = nil
    ) throws -> ChildProcess {
        let home = directory.child("baresip-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        try BaresipHome.write(
            in: home, sipPort: try PortHolder().port, audioSource: audioSource,
            account: "<sip:\(caller)@127.0.0.1>;regint=0;answermode=auto;audio_codecs=\(codec);mediaenc=srtp-mand",
            controlPort: control?.port, recordingDirectory: recordingDirectory
        )
        return try ChildProcess(
            BaresipHome.executable, ["-f", home, "-t", "120", "-e", "/dial " + (target ?? "sip:100@127.0.0.1:\(tlsPort);transport=tls")],
            directory: home, environment: HushboxdLifecycleTests.environment()
        )
    }
}
