import Foundation
import HushboxService
import Vault
import HushboxTestSupport
import Testing

@Suite("Private files")
struct PrivateFileTests {
    @Test("files are created 0600 and directories 0700, parents included, with no partial file left")
    func modesAreExact() throws {
        let directory = try TemporaryDirectory()
        try PrivateFile.ensureDirectory(directory.child("a/b"))
        try PrivateFile.create(directory.child("a/b/key"), contents: [1, 2, 3])
        #expect(FileStatus.of(directory.child("a"))?.permissions == 0o700)
        #expect(FileStatus.of(directory.child("a/b"))?.permissions == 0o700)
        #expect(FileStatus.of(directory.child("a/b/key"))?.permissions == 0o600)
        #expect(try Data(contentsOf: URL(fileURLWithPath: directory.child("a/b/key"))) == Data([1, 2, 3]))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.child("a/b")) == ["key"], "no temporary left")
    }

    @Test("Two writers of one path, both ways of staging: exactly one wins with its whole bytes, the other is told the file exists", arguments: [PrivateFile.Staging.unnamedWhereSupported, .named])
    func concurrentWritersNeverMix(staging: PrivateFile.Staging) async throws {
        let directory = try TemporaryDirectory()
        // Before the fix both used <path>.partial: one unlinked the other's temporary
        // and linked a half-written file into place under the other's name.
        for round in 0..<50 {
            let path = directory.child("export-\(round)")
            let contents = (0..<8).map { writer in [UInt8](repeating: UInt8(writer + 1), count: 256 * 1024) }
            let outcomes = await withTaskGroup(of: Bool.self) { group in
                for bytes in contents {
                    group.addTask { (try? PrivateFile.create(path, contents: bytes, staging: staging)) != nil }
                }
                return await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 }.count == 1)
            let written = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
            #expect(contents.contains(written), "the file is one writer's whole bytes")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).allSatisfy { $0.hasPrefix("export-") }, "no temporary left")
    }

    @Test("Neither way of staging writes through a symbolic link at the path, dangling or not", arguments: [PrivateFile.Staging.unnamedWhereSupported, .named])
    func neverThroughSymlink(staging: PrivateFile.Staging) throws {
        let directory = try TemporaryDirectory()
        try FileManager.default.createSymbolicLink(atPath: directory.child("key"), withDestinationPath: directory.child("target"))
        #expect(throws: PrivateFile.Failure.self) {
            try PrivateFile.create(directory.child("key"), contents: [1], staging: staging)
        }
        #expect(FileStatus.of(directory.child("target")) == nil)
    }

    @Test("A temporary's name leads back to its file; other names do not")
    func temporaryNames() {
        let name = PrivateFile.temporaryName(for: "entry.payload")
        #expect(name.hasPrefix(".entry.payload.partial-"))
        #expect(PrivateFile.finalName(ofTemporary: name) == "entry.payload")
        #expect(PrivateFile.finalName(ofTemporary: "entry.payload") == nil)
        #expect(PrivateFile.finalName(ofTemporary: ".entry.payload.partial-") == nil)
        #expect(PrivateFile.finalName(ofTemporary: ".notes.partial-xyz") == nil)
    }

    @Test("an existing file is never replaced")
    func noOverwrite() throws {
        let directory = try TemporaryDirectory()
        try PrivateFile.create(directory.child("key"), contents: [1])
        #expect(throws: PrivateFile.Failure.self) {
            try PrivateFile.create(directory.child("key"), contents: [2])
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: directory.child("key"))) == Data([1]))
    }
}
