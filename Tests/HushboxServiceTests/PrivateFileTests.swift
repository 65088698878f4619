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
        #expect(FileStatus.of(directory.child("a/b/key.partial")) == nil)
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
