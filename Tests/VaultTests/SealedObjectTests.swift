import Foundation
import HushboxTestSupport
import Testing
@testable import Vault

@Suite("Sealed audio objects")
struct SealedObjectTests {
    let chunk = 64 * 1024

    private func write(_ bytes: [UInt8], to tenant: TenantVault, finish: Bool = true, pieces: Int = 7_000) throws -> String {
        let writer = try tenant.createObject()
        var offset = 0
        while offset < bytes.count {
            let end = min(offset + pieces, bytes.count)
            try writer.write(bytes[offset..<end])
            offset = end
        }
        if finish { try tenant.finish(writer) }
        return writer.objectID
    }

    private func file(_ box: TestVault, _ tenant: TenantVault, _ objectID: String) -> String {
        box.path + "/objects/\(tenant.tenantID)/\(objectID).hbx"
    }

    @Test("objects of any length read back exactly", arguments: [0, 1, 65_535, 65_536, 65_537, 200_000, 131_072])
    func roundTrip(length: Int) throws {
        let box = try TestVault()
        let tenant = try box.vault.createTenant(name: "A")
        let bytes = probeBytes(0..<length)
        let id = try write(bytes, to: tenant)
        let contents = try tenant.openObject(id).readAll()
        #expect(contents.completeness == .complete)
        #expect(contents.bytes == bytes)
        let info = try #require(try tenant.object(id))
        #expect(info.state == .complete)
        #expect(info.byteCount == length)
        #expect(info.chunkCount == length / chunk + 1)
    }

    @Test("object files are 0600 in 0700 directories and hold no plaintext")
    func filesArePrivate() throws {
        let box = try TestVault()
        let tenant = try box.vault.createTenant(name: "A")
        let marker = Array("the caller said: please call me back at 030 1234567".utf8)
        let id = try write(marker + probeBytes(0..<100_000), to: tenant)
        #expect(FileStatus.of(file(box, tenant, id))?.permissions == 0o600)
        #expect(FileStatus.of(box.path + "/objects/\(tenant.tenantID)")?.permissions == 0o700)
        #expect(FileStatus.of(box.path + "/objects")?.permissions == 0o700)
        #expect(FileStatus.of(box.path)?.permissions == 0o700)
        #expect(try box.filesContaining(Data(marker)).isEmpty)
    }

    @Test("an unfinished object cut at any point reads back its whole chunks and reports the truncation")
    func truncationDetected() throws {
        let box = try TestVault()
        let tenant = try box.vault.createTenant(name: "A")
        let bytes = probeBytes(0..<(3 * chunk + 1000))
        let id = try write(bytes, to: tenant, finish: false)
        let path = file(box, tenant, id)
        let original = try Data(contentsOf: URL(fileURLWithPath: path))
        let header = 19
        let sealedChunk = chunk + 16
        // Cut points: inside the header, at each chunk boundary, inside each chunk.
        let cuts = [0, 10, header, header + 100, header + sealedChunk, header + sealedChunk + 5, header + 2 * sealedChunk, header + 3 * sealedChunk - 1, original.count]
        for cut in cuts where cut <= original.count {
            try original.prefix(cut).write(to: URL(fileURLWithPath: path))
            let wholeChunks = max(0, (cut - header) / sealedChunk)
            do {
                let contents = try tenant.openObject(id).readAll()
                #expect(contents.completeness == .truncated(wholeChunks: wholeChunks), "cut at \(cut)")
                #expect(contents.bytes == Array(bytes.prefix(wholeChunks * chunk)), "cut at \(cut)")
            } catch {
                // A file cut inside its header has nothing to return.
                #expect(cut < header && error.code == .objectTruncated, "cut at \(cut): \(error)")
            }
        }
    }

    @Test("a complete object that lost its tail is tampering, not truncation")
    func completeObjectCut() throws {
        let box = try TestVault()
        let tenant = try box.vault.createTenant(name: "A")
        let id = try write(probeBytes(0..<150_000), to: tenant)
        let path = file(box, tenant, id)
        let original = try Data(contentsOf: URL(fileURLWithPath: path))
        try original.prefix(19 + 2 * (chunk + 16)).write(to: URL(fileURLWithPath: path))
        #expect {
            try tenant.openObject(id).readAll()
        } throws: { error in
            (error as? VaultError)?.code == .objectTampered
        }
    }

    @Test("a flipped byte anywhere is a typed error naming the object")
    func flippedByte() throws {
        let box = try TestVault()
        let tenant = try box.vault.createTenant(name: "A")
        let id = try write(probeBytes(0..<150_000), to: tenant)
        let path = file(box, tenant, id)
        let original = try Data(contentsOf: URL(fileURLWithPath: path))
        var generator = SeededGenerator(seed: 0x5EED)
        let positions = [0, 8, 12, 18, 19, 20, 19 + chunk, 19 + chunk + 16, original.count / 2, original.count - 17, original.count - 1]
            + (0..<20).map { _ in Int.random(in: 0..<original.count, using: &generator) }
        for position in positions {
            var damaged = original
            damaged[position] ^= 0x01
            try damaged.write(to: URL(fileURLWithPath: path))
            do {
                _ = try tenant.openObject(id).readAll()
                Issue.record("a flipped bit at \(position) went unnoticed")
            } catch {
                #expect(error.code == .objectTampered, "flip at \(position): \(error)")
                #expect(error.description.contains(id))
            }
        }
    }

    @Test("chunks swapped between positions, or a file moved to another object, fail to open")
    func chunksBoundToPosition() throws {
        let box = try TestVault()
        let tenant = try box.vault.createTenant(name: "A")
        let first = try write(probeBytes(0..<150_000), to: tenant)
        let second = try write(probeBytes(0..<150_000), to: tenant)
        let path = file(box, tenant, first)
        let original = try Data(contentsOf: URL(fileURLWithPath: path))
        let sealedChunk = chunk + 16
        var swapped = original.prefix(19)
        swapped.append(original[(19 + sealedChunk)..<(19 + 2 * sealedChunk)])
        swapped.append(original[19..<(19 + sealedChunk)])
        swapped.append(original[(19 + 2 * sealedChunk)...])
        try swapped.write(to: URL(fileURLWithPath: path))
        #expect(throws: VaultError.self) { try tenant.openObject(first).readAll() }

        try FileManager.default.removeItem(atPath: path)
        try FileManager.default.copyItem(atPath: file(box, tenant, second), toPath: path)
        #expect(throws: VaultError.self) { try tenant.openObject(first).readAll() }
    }

    @Test("a writer killed with SIGKILL mid-stream leaves whole chunks that read back, and the truncation is reported")
    func writerKilledMidStream() async throws {
        let box = try TestVault()
        let keyFile = try box.directory.write(String(decoding: [], as: UTF8.self), to: "kek")
        try Data(box.kekBytes).write(to: URL(fileURLWithPath: keyFile))
        let probe = try ChildProcess(try BuiltProducts.path(of: "VaultCrashProbe"), [box.path, keyFile])
        let announced = try await probe.standardOutput.waitFor("the object's ids") { $0.hasPrefix("object ") }
        try await probe.standardOutput.waitFor("three whole chunks and part of a fourth") { $0 == "waiting" }
        probe.send(SIGKILL)
        #expect(try await probe.waitForExit() == 128 + SIGKILL)
        let reported = probe.standardOutput.all.compactMap { $0.hasPrefix("chunks ") ? Int($0.dropFirst(7)) : nil }.max() ?? 0
        #expect(reported == 3, "killed while writing its fourth chunk")

        let ids = announced.split(separator: " ")
        let tenant = try box.reopen().tenant(String(ids[1]))
        let objectID = String(ids[2])
        #expect(try tenant.object(objectID)?.state == .writing)
        let contents = try tenant.openObject(objectID).readAll()
        guard case .truncated(let wholeChunks) = contents.completeness else {
            Issue.record("a killed writer's object read as complete")
            return
        }
        // Every chunk the probe reported is on disk; the part of the fourth it held in memory is not.
        #expect(wholeChunks == reported)
        #expect(contents.bytes == probeBytes(0..<(wholeChunks * chunk)))
        try tenant.recordCut(objectID, wholeChunks: wholeChunks, byteCount: contents.bytes.count)
        #expect(try tenant.object(objectID)?.state == .cut)
    }
}
