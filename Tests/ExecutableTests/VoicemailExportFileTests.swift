import Foundation
import HushboxTestSupport
import Logging
import Testing
import Vault

/// `hushbox voicemail export` writes a message in clear: only into a new file,
/// 0600 from its first byte, never through a link someone left at the path.
@Suite("Voicemail export file")
struct VoicemailExportFileTests {
    let directory: TemporaryDirectory
    let file: String
    /// The stored message's id and bytes (an .opus export is the stored stream).
    let messageID: String
    static let audio = Array("OggS a message in clear".utf8)

    init() async throws {
        directory = try TemporaryDirectory()
        file = try directory.write(
            "storage:\n  data_directory: \(directory.child("data"))\nsecrets:\n  directory: \(directory.child("credentials"))\n",
            to: "hushbox.yaml"
        )
        #expect(try await ChildProcess.run(try BuiltProducts.path(of: "hushbox"), ["provision", "init", "--config", file], environment: HushboxdLifecycleTests.environment()).status == 0)
        #expect(try await ChildProcess.run(try BuiltProducts.path(of: "hushbox"), ["tenant", "create", "Praxis", "--config", file], environment: HushboxdLifecycleTests.environment()).status == 0)
        // A message stored as a call leaves one, in the vault the CLI opens.
        let kek = try DeviceKEK(bytes: Array(try Data(contentsOf: URL(fileURLWithPath: directory.child("credentials/device-kek")))))
        let vault = try Vault.open(directory: directory.child("data"), deviceKEK: kek, logger: Logger(label: "test"))
        let tenant = try vault.tenant(try #require(try vault.tenantIDs().first))
        let mailbox = Mailbox(sipUser: "100")
        try tenant.insert(mailbox)
        let call = Call(mailboxID: mailbox.id, direction: .inbound, startedAt: Date(), counterparty: nil, outcome: .recorded)
        try tenant.insert(call)
        let writer = try tenant.createObject()
        try writer.write(Self.audio)
        try tenant.finish(writer)
        let voicemail = Voicemail(mailboxID: mailbox.id, callID: call.id, duration: .seconds(2), objectID: writer.objectID, createdAt: Date())
        try tenant.insert(voicemail)
        messageID = voicemail.id
    }

    private func export(to out: String) async throws -> (status: Int32, output: String, errors: String) {
        try await ChildProcess.run(
            try BuiltProducts.path(of: "hushbox"), ["voicemail", "export", messageID, "--out", out, "--config", file], directory: directory.path,
            environment: HushboxdLifecycleTests.environment()
        )
    }

    @Test("A new file is written 0600 with the message's bytes")
    func newFile() async throws {
        let out = directory.child("message.opus")
        let written = try await export(to: out)
        #expect(written.status == 0, "\(written.errors)")
        #expect(FileStatus.of(out)?.permissions == 0o600)
        #expect(FileManager.default.contents(atPath: out) == Data(Self.audio))
    }

    @Test("An existing file is refused by name and left as it was")
    func existingFile() async throws {
        let out = try directory.write("the owner's notes", to: "notes.opus", permissions: 0o644)
        let refused = try await export(to: out)
        #expect(refused.status != 0)
        #expect(refused.errors.contains(out) && refused.errors.contains("exists"), "\(refused.errors)")
        #expect(FileManager.default.contents(atPath: out) == Data("the owner's notes".utf8))
        #expect(FileStatus.of(out)?.permissions == 0o644)
    }

    @Test("A symbolic link at the path is refused, whether its target exists or not; the target is not created or touched")
    func symbolicLink() async throws {
        let dangling = directory.child("elsewhere/planted.opus")
        try FileManager.default.createDirectory(atPath: directory.child("elsewhere"), withIntermediateDirectories: true)
        let out = directory.child("link.opus")
        try FileManager.default.createSymbolicLink(atPath: out, withDestinationPath: dangling)
        let refused = try await export(to: out)
        #expect(refused.status != 0)
        #expect(refused.errors.contains(out), "\(refused.errors)")
        #expect(FileStatus.of(dangling) == nil, "nothing was written through the link")
        #expect(FileStatus.of(out)?.type == .symbolicLink)

        let existing = try directory.write("someone else's file", to: "target.opus", permissions: 0o644)
        let second = directory.child("link2.opus")
        try FileManager.default.createSymbolicLink(atPath: second, withDestinationPath: existing)
        #expect(try await export(to: second).status != 0)
        #expect(FileManager.default.contents(atPath: existing) == Data("someone else's file".utf8))
        #expect(FileStatus.of(existing)?.permissions == 0o644)
    }
}
