import Foundation

/// `systemd-creds`: seals a secret to this machine (its TPM2 if it has one,
/// else the host key in /var/lib/systemd/credential.secret) so that only this
/// machine's systemd can open it for the service, and opens it again for the
/// administrator's commands. The secret passes through pipes, never a file.
public struct SystemdCredentials: Sendable {
    public let executable: String

    public init(executable: String = "/usr/bin/systemd-creds") {
        self.executable = executable
    }

    /// Whether this machine can seal credentials at all.
    public var isAvailable: Bool { FileManager.default.isExecutableFile(atPath: executable) }

    /// The sealed form of `secret`, named `name` (the name is bound into it).
    public func encrypt(_ secret: [UInt8], name: String) throws(BundleError) -> [UInt8] {
        try run(["encrypt", "--name=\(name)", "-", "-"], input: secret, what: "seal \(name) with systemd-creds")
    }

    /// Opens what ``encrypt(_:name:)`` made; needs root (the host key) or the TPM.
    public func decrypt(_ sealed: [UInt8], name: String) throws(BundleError) -> [UInt8] {
        try run(["decrypt", "--name=\(name)", "-", "-"], input: sealed, what: "open \(name) with systemd-creds")
    }

    private func run(_ arguments: [String], input: [UInt8], what: String) throws(BundleError) -> [UInt8] {
        guard isAvailable else { throw BundleError("cannot \(what): \(executable) is missing (Debian's systemd package has it)") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        do {
            try process.run()
        } catch {
            throw BundleError("cannot \(what): \(error)")
        }
        // Credentials are small (a few KiB at most): the pipes' buffers hold them whole.
        stdin.fileHandleForWriting.write(Data(input))
        try? stdin.fileHandleForWriting.close()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        let errors = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let reason = String(decoding: errors.prefix(500), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw BundleError("cannot \(what): \(reason.isEmpty ? "it exited with status \(process.terminationStatus)" : reason)")
        }
        return Array(output)
    }
}
