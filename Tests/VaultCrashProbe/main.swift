// Writes a sealed object, reporting each whole chunk on standard output, and
// stops in the middle of its fourth chunk to wait there, so that a test kills
// it with SIGKILL mid-stream however slowly the test gets to run (a probe that
// kept writing could finish first on a loaded machine).
//
// Usage: VaultCrashProbe VAULT_DIRECTORY DEVICE_KEY_FILE
// Prints "object TENANT OBJECT", then "chunks N" after each sealed chunk is on
// disk (N = 1, 2, 3), then "waiting"; byte i of the stream is (i * 31) % 251.
import Foundation
import Logging
import Vault

let arguments = CommandLine.arguments
guard arguments.count == 3, let keyBytes = FileManager.default.contents(atPath: arguments[2]) else {
    FileHandle.standardError.write(Data("usage: VaultCrashProbe VAULT_DIRECTORY DEVICE_KEY_FILE\n".utf8))
    exit(2)
}

func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

do {
    let vault = try Vault.open(directory: arguments[1], deviceKEK: try DeviceKEK(bytes: keyBytes), logger: Logger(label: "probe"))
    let tenant = try vault.createTenant(name: "Crash probe GmbH")
    let writer = try tenant.createObject()
    say("object \(tenant.tenantID) \(writer.objectID)")
    let piece = 8 * 1024
    let chunk = 64 * 1024
    var position = 0
    while position < 3 * chunk + 3 * piece {
        let bytes = (position..<position + piece).map { UInt8(($0 * 31) % 251) }
        try writer.write(bytes)
        position += piece
        if position % chunk == 0 { say("chunks \(position / chunk)") }
    }
    say("waiting")
    while true { sleep(60) }
} catch {
    FileHandle.standardError.write(Data("probe failed: \(error)\n".utf8))
    exit(1)
}
