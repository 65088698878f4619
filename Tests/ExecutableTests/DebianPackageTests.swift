import Foundation
import HushboxTestSupport
import PrivateFiles
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The Debian package on this machine, as a technician uses it: `dpkg -i`,
/// `hushbox provision --bundle` with a bundle the customer signed, hushboxd as
/// the package's user with the package's paths and the credentials systemd
/// would hand it, a line call recorded, then remove (data kept) and purge
/// (nothing left). No systemd runs here as PID 1, so the unit and its
/// provisioning drop-in are checked offline, and the test does what systemd's
/// LoadCredential= and LoadCredentialEncrypted= would.
@Suite("Debian package", .serialized)
struct DebianPackageTests {
    static let checkout = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static let canInstall = getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/dpkg")
        && FileManager.default.isExecutableFile(atPath: "/usr/bin/systemd-creds") && FileManager.default.isExecutableFile(atPath: "/usr/bin/lintian")

    static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:], within limit: Duration = .seconds(120)) async throws
        -> (status: Int32, output: String, errors: String)
    {
        try await ChildProcess.run(executable, arguments, environment: ["PATH": "/usr/sbin:/usr/bin:/sbin:/bin"].merging(environment) { $1 }, within: limit)
    }

    @Test(
        "make deb's package from this build: installs, refuses to start unprovisioned, provisions from a signed bundle, records a line call as its own user, keeps data on remove and leaves nothing on purge",
        .enabled(if: canInstall, "needs root, dpkg, systemd-creds and lintian (make test installs them)")
    )
    func installProvisionCallPurge() async throws {
        _ = try await Self.run("/usr/bin/dpkg", ["--purge", "hushbox"])  // an interrupted earlier run
        let work = try TemporaryDirectory(prefix: "hushbox-deb")
        let binaries = URL(fileURLWithPath: try BuiltProducts.path(of: "hushboxd")).deletingLastPathComponent().path
        let built = try await Self.run(Self.checkout + "/scripts/build-deb", ["--binaries", binaries, "--output", work.path, "--fast", "--lintian"], within: .seconds(600))
        try #require(built.status == 0, "build-deb:\n\(built.errors)")
        let package = try #require(built.output.split(separator: "\n").last.map(String.init))
        let size = built.errors.split(separator: "\n").first { $0.hasPrefix("installed size:") } ?? ""
        print("package \(package): \(size)")

        let installed = try await Self.run("/usr/bin/dpkg", ["-i", package])
        try #require(installed.status == 0, "dpkg -i:\n\(installed.output)\n\(installed.errors)")
        defer { _ = Task { try? await Self.run("/usr/bin/dpkg", ["--purge", "hushbox"]) } }
        let account = try #require(getpwnam("hushbox"), "postinst made the hushbox account")
        let (uid, gid) = (account.pointee.pw_uid, account.pointee.pw_gid)
        let state = try #require(FileStatus.of("/var/lib/hushbox"))
        #expect(state.permissions == 0o700 && state.ownerID == uid)
        let credentialsDirectory = try #require(FileStatus.of("/etc/hushbox/credentials"))
        #expect(credentialsDirectory.permissions == 0o700 && credentialsDirectory.ownerID == 0)
        let configuration = try #require(FileStatus.of("/etc/hushbox"))
        #expect(configuration.permissions == 0o750 && configuration.ownerID == 0, "the service reads its configuration, only root changes it")
        #expect(FileStatus.of("/usr/share/hushbox/prompts/en/disclaimer.opus") != nil)
        #expect(FileManager.default.fileExists(atPath: "/etc/systemd/system/multi-user.target.wants/hushbox.service"), "postinst enabled the unit")

        // Before provisioning the daemon refuses, naming the command to run.
        let early = try await Self.run("/usr/bin/hushboxd", ["--config", "/etc/hushbox/hushbox.yaml"], environment: ["HUSHBOX_OPS_PORT": "0", "HUSHBOX_ADMIN_PORT": "0"], within: .seconds(30))
        #expect(early.status == 78)
        #expect(early.errors.contains("hushbox provision --bundle"), "\(early.errors)")

        // The customer: a signing key, the box's key, the contents and the sealed secret.
        let customer = try await Self.run("/usr/bin/hushbox", ["bundle", "keygen", "--private-key", work.child("customer.key")])
        let signer = try #require(customer.output.firstMatch(of: /signer: (\S+)/).map { String($0.output.1) }, "\(customer)")
        let request = try await Self.run("/usr/bin/hushbox", ["provision", "request"])
        let boxKey = try #require(request.output.firstMatch(of: /box key: (\S+)/).map { String($0.output.1) }, "\(request)")
        let now = Date()
        let stamp = ISO8601DateFormatter()
        let contents = """
            {"bundle_id": "praxis-7-1", "created_at": "\(stamp.string(from: now))", "expires_at": "\(stamp.string(from: now.addingTimeInterval(3600)))",
             "configuration": {"device.name": "praxis-7", "sip.enabled": false, "line.enabled": true, "line.mailbox": "100", "line.control": "vox",
                               "line.country": "gb", "line.capture_device": "hushbox_test_capture", "line.playback_device": "hushbox_test_playback",
                               "uplink.destinations.backend.url": "https://127.0.0.1:9", "uplink.destinations.backend.region": "DE"},
             "lan": ["192.168.7.0/24"], "organisation": {"name": "Praxis Nord"},
             "mailboxes": [{"sip_user": "100", "language": "en", "consent": false}], "api_key": {"label": "scripts"}}
            """
        _ = try work.write(contents, to: "contents.json")
        _ = try work.write(#"{"uplink-backend": "whsec_dGVzdC1zZWNyZXQtZm9yLXRoZS1wYWNrYWdlLXRlc3Q="}"#, to: "secrets.json")
        let signed = try await Self.run("/usr/bin/hushbox", [
            "bundle", "sign", "--private-key", work.child("customer.key"), "--contents", work.child("contents.json"),
            "--secrets", work.child("secrets.json"), "--box", boxKey, "--out", work.child("praxis-7.bundle"),
        ])
        try #require(signed.status == 0, "\(signed.errors)")

        // The technician. A bundle's expiry is only as good as the box's clock: unsynchronised, it takes the technician's word.
        let unchecked = try await Self.run("/usr/bin/hushbox", ["provision", "--bundle", work.child("praxis-7.bundle"), "--signer", signer])
        if unchecked.status != 0 {
            #expect(unchecked.errors.contains("--clock-checked") && FileStatus.of("/etc/hushbox/provisioning.json") == nil, "\(unchecked.errors)")
        }
        let provisioned = unchecked.status == 0
            ? unchecked : try await Self.run("/usr/bin/hushbox", ["provision", "--bundle", work.child("praxis-7.bundle"), "--signer", signer, "--clock-checked"])
        try #require(provisioned.status == 0, "\(provisioned.output)\n\(provisioned.errors)")
        #expect(provisioned.output.contains(/API key \(shown this once; give it to the customer now\): hbx_[0-9a-f]{16}_/), "\(provisioned.output)")
        #expect(FileStatus.of("/etc/hushbox/credentials/device-kek") == nil, "the device key is never in clear on the disk")
        #expect(FileStatus.of("/etc/hushbox/credentials/device-kek.cred")?.permissions == 0o600)
        let dropInPath = "/etc/systemd/system/hushbox.service.d/provisioning.conf"
        let dropIn = try String(contentsOfFile: dropInPath, encoding: .utf8)
        #expect(dropIn.contains("LoadCredentialEncrypted=device-kek:/etc/hushbox/credentials/device-kek.cred"))
        #expect(dropIn.contains("LoadCredential=uplink-backend:/etc/hushbox/credentials/uplink-backend"))
        #expect(dropIn.contains("IPAddressDeny=any") && dropIn.contains("IPAddressAllow=192.168.7.0/24"))
        #expect(!dropIn.contains("PrivateDevices=yes"), "a box with a line keeps its sound card")

        // The technician's checklist, as root: the sealed key opens; the receiver here is a closed port and not yet on the register.
        let selftest = try await Self.run("/usr/bin/hushbox", ["selftest", "--json"])
        #expect(selftest.status == 1)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(selftest.output.utf8)) as? [String: Any], "\(selftest)")
        let checks = Dictionary(((report["checks"] as? [[String: Any]]) ?? []).map { ($0["name"] as? String ?? "", $0) }) { first, _ in first }
        for passing in ["configuration", "database", "device key", "TLS certificate", "prompts"] {
            #expect(checks[passing]?["passed"] as? Bool == true, "\(passing): \(checks[passing] ?? [:])")
        }
        #expect(checks["uplink backend"]?["passed"] as? Bool == false)
        #expect((checks["line sound card"]?["detail"] as? String)?.contains("is not there") == true, "no card until the test's ALSA file is given")
        #expect((checks["uplink backend residency"]?["detail"] as? String)?.contains("not on the organisation's sub-processor register") == true, "\(checks["uplink backend residency"] ?? [:])")

        // The unit as installed with its drop-in: verified, and scored, offline.
        // A second [Service] section in one file reads as a drop-in does.
        let combined = try String(contentsOfFile: "/lib/systemd/system/hushbox.service", encoding: .utf8) + "\n" + dropIn
        let unitFile = try work.write(combined, to: "hushbox.service", permissions: 0o644)
        let security = try await Self.run("/usr/bin/systemd-analyze", ["security", "--offline=yes", "--threshold=20", unitFile])
        let score = try #require(security.output.firstMatch(of: /Overall exposure level for hushbox\.service: ([0-9.]+)/).flatMap { Double($0.output.1) }, "\(security)")
        print("exposure of the installed unit with its provisioning drop-in: \(score)")
        #expect(score <= 2.0)
        let verify = try await Self.run("/usr/bin/systemd-analyze", ["verify", unitFile])
        #expect(verify.status == 0 && verify.output.isEmpty && verify.errors.isEmpty, "\(verify.output)\n\(verify.errors)")

        // What systemd would do at start: the credentials, opened, in a directory only the service reads.
        let credentials = work.child("credentials")
        try FileManager.default.createDirectory(atPath: credentials, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        for line in dropIn.split(separator: "\n") {
            guard let match = line.firstMatch(of: /^LoadCredential(Encrypted)?=([^:]+):(.+)$/) else { continue }
            let (name, source, target) = (String(match.output.2), String(match.output.3), credentials + "/" + match.output.2)
            if match.output.1 != nil {
                let opened = try await Self.run("/usr/bin/systemd-creds", ["decrypt", "--name=\(name)", source, target])
                try #require(opened.status == 0, "\(opened.errors)")
            } else {
                try FileManager.default.copyItem(atPath: source, toPath: target)
            }
            chmod(target, 0o400)
            chown(target, uid, gid)
        }
        chown(credentials, uid, gid)
        chmod(work.path, 0o711)

        // A caller on the line (a line-level source: VOX), through ALSA's file plugin.
        let lineDirectory = try TemporaryDirectory(prefix: "hushbox-deb-line")
        chmod(lineDirectory.path, 0o755)
        chown(lineDirectory.path, uid, gid)
        let speech = try await LineSignals.speech(SpokenAudio.sentence, in: lineDirectory)
        let wake = try await LineSignals.speech("Hello, is anybody there?", in: lineDirectory)
        var audio = LineSignals.silence(seconds: 1) + wake
        audio += LineSignals.silence(seconds: try SpokenAudio.secondsBeforeRecording() + 1) + speech + LineSignals.silence(seconds: 8)
        let line = try FileLine(caller: audio, in: lineDirectory)
        for file in [line.configurationFile, lineDirectory.child("line-in.raw")] { chmod(file, 0o644) }

        let daemon = try ChildProcess(
            "/usr/bin/setpriv", ["--reuid=hushbox", "--regid=hushbox", "--init-groups", "--", "/usr/bin/hushboxd", "--config", "/etc/hushbox/hushbox.yaml"],
            directory: "/",
            environment: ["PATH": "/usr/bin:/bin", "CREDENTIALS_DIRECTORY": credentials, "HUSHBOX_OPS_PORT": "0", "HUSHBOX_ADMIN_PORT": "0", "HUSHBOX_LINE_ALSA_CONFIG": line.configurationFile]
        )
        let ended = try await daemon.standardError.waitFor("the line call to end", within: .seconds(90)) { $0.contains("voicemail call ended") }
        #expect(ended.contains("outcome=recorded"), "\(ended)")
        daemon.send(SIGTERM)
        #expect(try await daemon.waitForExit(within: .seconds(30)) == 0, "\(daemon.standardError.all.suffix(20))")

        // The administrator finds it, with the sealed device key opened by systemd-creds.
        let mailboxes = try await Self.run("/usr/bin/hushbox", ["mailbox", "list"])
        let mailbox = try #require(mailboxes.output.split(separator: " ").first.map(String.init), "\(mailboxes)")
        let messages = try await Self.run("/usr/bin/hushbox", ["voicemail", "list", "--mailbox", mailbox])
        #expect(messages.status == 0 && messages.output.split(separator: "\n").count == 1, "\(messages)")

        // The administrator's commands ran as root, yet everything in the data directory is still the service's.
        let enumerator = try #require(FileManager.default.enumerator(atPath: "/var/lib/hushbox"))
        while let relative = enumerator.nextObject() as? String {
            #expect(FileStatus.of("/var/lib/hushbox/" + relative)?.ownerID == uid, "\(relative) is not the hushbox account's")
        }

        // Remove keeps every byte; purge destroys the keys, then the data.
        let removed = try await Self.run("/usr/bin/dpkg", ["-r", "hushbox"])
        #expect(removed.status == 0, "\(removed.errors)")
        #expect(!FileManager.default.fileExists(atPath: "/usr/bin/hushboxd"))
        #expect(FileManager.default.fileExists(atPath: "/var/lib/hushbox/hushbox.sqlite") && FileManager.default.fileExists(atPath: "/etc/hushbox/credentials/device-kek.cred"))
        let purged = try await Self.run("/usr/bin/dpkg", ["--purge", "hushbox"])
        #expect(purged.status == 0, "\(purged.errors)")
        for path in ["/var/lib/hushbox", "/etc/hushbox", "/etc/systemd/system/hushbox.service.d", "/lib/systemd/system/hushbox.service",
                     "/etc/systemd/system/multi-user.target.wants/hushbox.service", "/usr/share/hushbox", "/usr/lib/tmpfiles.d/hushbox.conf"] {
            #expect(!FileManager.default.fileExists(atPath: path), "\(path) is left after purge")
        }
    }
}
