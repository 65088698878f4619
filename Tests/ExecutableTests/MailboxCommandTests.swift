import Foundation
import HushboxTestSupport
import Logging
import Testing
import Vault

/// `hushbox mailbox` as an owner runs it on a provisioned box: the rules that
/// protect callers are refused with the reason, and a greeting is checked
/// before anything is stored.
@Suite("Mailbox commands")
struct MailboxCommandTests {
    let directory: TemporaryDirectory
    let file: String

    init() async throws {
        directory = try TemporaryDirectory()
        file = try directory.write(
            "storage:\n  data_directory: \(directory.child("data"))\nsecrets:\n  directory: \(directory.child("credentials"))\n",
            to: "hushbox.yaml"
        )
        #expect(try await hushbox(["provision", "init"]).status == 0)
        #expect(try await hushbox(["tenant", "create", "Praxis"]).status == 0)
    }

    @discardableResult
    private func hushbox(_ arguments: [String], input: Data? = nil) async throws -> (status: Int32, output: String, errors: String) {
        try await ChildProcess.run(
            try BuiltProducts.path(of: "hushbox"), arguments + ["--config", file], directory: directory.path,
            environment: HushboxdLifecycleTests.environment(), input: input
        )
    }

    /// Whether `pin` opens mailbox `id`, asked of the vault the CLI wrote.
    private func pinOpens(_ pin: String, mailbox id: String) throws -> Bool {
        let kek = try DeviceKEK(bytes: Array(try Data(contentsOf: URL(fileURLWithPath: directory.child("credentials/device-kek")))))
        let vault = try Vault.open(directory: directory.child("data"), deviceKEK: kek, logger: Logger(label: "test"))
        return try vault.tenant(try #require(try vault.tenantIDs().first)).verifyPIN(pin, forMailbox: id)
    }

    @Test("A PIN is read from --pin-file (a file or standard input), never from the command line, and is not echoed")
    func pinFromFile() async throws {
        let onCommandLine = try await hushbox(["mailbox", "create", "--sip-user", "400", "--pin", "1234"])
        #expect(onCommandLine.status != 0)
        #expect(onCommandLine.errors.contains("--pin-file"), "says what to use instead: \(onCommandLine.errors)")
        #expect(try await hushbox(["mailbox", "list"]).output.isEmpty, "nothing was created")

        let pinFile = try directory.write("2468\n", to: "pin")
        let created = try await hushbox(["mailbox", "create", "--sip-user", "400", "--pin-file", pinFile])
        #expect(created.status == 0, "\(created.errors)")
        let id = created.output.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try pinOpens("2468", mailbox: id))
        #expect(!created.output.contains("2468") && !created.errors.contains("2468"))

        let updated = try await hushbox(["mailbox", "update", id, "--pin-file", "-"], input: Data("97531\n".utf8))
        #expect(updated.status == 0, "\(updated.errors)")
        #expect(try pinOpens("97531", mailbox: id) && !pinOpens("2468", mailbox: id))

        let empty = try await hushbox(["mailbox", "update", id, "--pin-file", "-"], input: Data())
        #expect(empty.status != 0 && empty.errors.contains("PIN"), "\(empty.errors)")
        #expect(try pinOpens("97531", mailbox: id), "a refused PIN changes nothing")
        let missing = try await hushbox(["mailbox", "update", id, "--pin-file", directory.child("no-such-file")])
        #expect(missing.status != 0 && missing.errors.contains(directory.child("no-such-file")), "\(missing.errors)")

        // Bounded: before the fix /dev/zero was read until memory ran out.
        let endless = try await hushbox(["mailbox", "update", id, "--pin-file", "/dev/zero"])
        #expect(endless.status != 0 && endless.errors.contains("not a regular file"), "\(endless.errors)")
        let huge = try directory.write(String(repeating: "1", count: 100_000), to: "huge-pin")
        let tooLong = try await hushbox(["mailbox", "update", id, "--pin-file", huge])
        #expect(tooLong.status != 0 && tooLong.errors.contains("longer than 64 bytes"), "\(tooLong.errors)")
        let longInput = try await hushbox(["mailbox", "update", id, "--pin-file", "-"], input: Data(repeating: UInt8(ascii: "7"), count: 200))
        #expect(longInput.status != 0 && longInput.errors.contains("longer than 64 bytes"), "\(longInput.errors)")
        #expect(try pinOpens("97531", mailbox: id), "a refused PIN changes nothing")
    }

    /// Sealed object files on the box.
    private func objectFiles() -> [String] {
        (FileManager.default.enumerator(atPath: directory.child("data"))?.allObjects as? [String] ?? []).filter { $0.hasSuffix(".hbx") }
    }

    @Test("The disclaimer cannot be turned off while recording is on, at create or update; the refusal says why and changes nothing")
    func disclaimerStays() async throws {
        let refused = try await hushbox(["mailbox", "create", "--sip-user", "200", "--disclaimer", "off"])
        #expect(refused.status != 0)
        #expect(refused.errors.contains("cannot be turned off while recording is on"), "\(refused.errors)")
        #expect(refused.errors.contains("--recording off"), "says what to do instead")
        #expect(try await hushbox(["mailbox", "list"]).output.isEmpty, "nothing was created")

        let created = try await hushbox(["mailbox", "create", "--sip-user", "200"])
        let id = created.output.trimmingCharacters(in: .whitespacesAndNewlines)
        let update = try await hushbox(["mailbox", "update", id, "--disclaimer", "off", "--max-seconds", "60"])
        #expect(update.status != 0)
        #expect(try await hushbox(["mailbox", "list"]).output.contains("max-seconds=180"), "the refused update changed nothing")
        #expect(try await hushbox(["mailbox", "update", id, "--recording", "off", "--disclaimer", "off"]).status == 0,
                "a mailbox that records nothing may skip it")
    }

    @Test("A greeting must be a whole Ogg Opus file; a good one is stored sealed, replaced, and removed with 'default' or the mailbox")
    func greetingFile() async throws {
        let tools = HushboxdLifecycleTests.environment()
        let id = try await hushbox(["mailbox", "create", "--sip-user", "300"]).output.trimmingCharacters(in: .whitespacesAndNewlines)
        let notOpus = try directory.write("RIFF not really audio", to: "greeting.opus")
        let refused = try await hushbox(["mailbox", "update", id, "--greeting", notOpus, "--max-seconds", "60"])
        #expect(refused.status != 0)
        #expect(refused.errors.contains("opusenc"), "says how to make one: \(refused.errors)")
        #expect(try await hushbox(["mailbox", "list"]).output.contains("max-seconds=180  recording=on  consent=on  greeting=default"))

        let wav = directory.child("tone.wav")
        let opus = directory.child("tone.opus")
        #expect(try await ChildProcess.run("/usr/bin/sox", ["-n", "-r", "48000", "-c", "1", "-b", "16", wav, "synth", "2", "sine", "600"], environment: tools).status == 0)
        #expect(try await ChildProcess.run("/usr/bin/opusenc", ["--quiet", wav, opus], environment: tools).status == 0)
        #expect(try await hushbox(["mailbox", "update", id, "--greeting", opus]).status == 0)
        #expect(try await hushbox(["mailbox", "list"]).output.contains("greeting=own"))
        #expect(objectFiles().count == 1)
        let plain = try Data(contentsOf: URL(fileURLWithPath: opus))
        let sealed = try Data(contentsOf: URL(fileURLWithPath: directory.child("data/" + objectFiles()[0])))
        #expect(sealed.range(of: plain.prefix(64)) == nil && sealed.range(of: Data("OpusHead".utf8)) == nil, "stored encrypted")

        #expect(try await hushbox(["mailbox", "update", id, "--greeting", opus]).status == 0)
        #expect(objectFiles().count == 1, "the replaced greeting's file is gone")
        #expect(try await hushbox(["mailbox", "update", id, "--greeting", "default"]).status == 0)
        #expect(try await hushbox(["mailbox", "list"]).output.contains("greeting=default"))
        #expect(objectFiles().isEmpty)

        #expect(try await hushbox(["mailbox", "update", id, "--greeting", opus]).status == 0)
        #expect(try await hushbox(["mailbox", "delete", id]).status == 0)
        #expect(objectFiles().isEmpty, "deleting the mailbox deletes its greeting")
    }
}
