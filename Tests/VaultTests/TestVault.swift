import Foundation
import HushboxTestSupport
import Logging
import Vault

/// A vault in a fresh temporary directory with a throwaway device key.
struct TestVault {
    let directory: TemporaryDirectory
    let kekBytes: [UInt8]
    let vault: Vault

    var path: String { directory.child("vault") }

    init() throws {
        directory = try TemporaryDirectory()
        kekBytes = DeviceKEK.generate().bytes
        vault = try Vault.open(directory: directory.child("vault"), deviceKEK: try DeviceKEK(bytes: kekBytes), logger: Logger(label: "test"))
    }

    /// Opens the same vault again, as a restarted process would.
    func reopen(kek: [UInt8]? = nil) throws(VaultError) -> Vault {
        try Vault.open(directory: path, deviceKEK: try DeviceKEK(bytes: kek ?? kekBytes), logger: Logger(label: "test"))
    }

    /// Every byte of the database, its WAL and every object file.
    func storedBytes() throws -> [(file: String, bytes: Data)] {
        var files: [(String, Data)] = []
        let enumerator = FileManager.default.enumerator(atPath: path)
        while let name = enumerator?.nextObject() as? String {
            let file = path + "/" + name
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory), !isDirectory.boolValue {
                files.append((name, try Data(contentsOf: URL(fileURLWithPath: file))))
            }
        }
        return files
    }

    /// The stored files that contain `needle`, by name.
    func filesContaining(_ needle: Data) throws -> [String] {
        try storedBytes().filter { $0.bytes.range(of: needle) != nil }.map(\.file)
    }
}

/// The deterministic test stream the crash probe also writes.
func probeBytes(_ range: Range<Int>) -> [UInt8] {
    range.map { UInt8(($0 * 31) % 251) }
}
