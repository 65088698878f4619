public import Foundation
import Synchronization

/// A built Hushbox executable run as a child process, its output collected line
/// by line so a test can wait for what it expects and send it signals.
public final class ChildProcess: Sendable {
    public let standardOutput = LineInbox()
    public let standardError = LineInbox()
    private let process: Process

    /// Starts `executable` with `arguments`, in `directory`, with exactly `environment`;
    /// its standard input is `input` (then end of file), or empty.
    public init(
        _ executable: String, _ arguments: [String] = [], directory: String? = nil, environment: [String: String] = [:], input: Data? = nil
    ) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        let feed = input.map { _ in Pipe() }
        process.standardInput = feed ?? FileHandle.nullDevice
        try process.run()
        if let feed, let input {
            try feed.fileHandleForWriting.write(contentsOf: input)
            try feed.fileHandleForWriting.close()
        }
        self.process = process
        Self.collectLines(from: output.fileHandleForReading, into: standardOutput)
        Self.collectLines(from: errors.fileHandleForReading, into: standardError)
    }

    public var processIdentifier: Int32 { process.processIdentifier }
    public var isRunning: Bool { process.isRunning }

    public func send(_ signal: Int32) {
        kill(process.processIdentifier, signal)
    }

    /// Waits, with a bound, for the process to exit and returns its exit status
    /// (or 128 + the signal that ended it).
    public func waitForExit(within limit: Duration = .seconds(20)) async throws -> Int32 {
        let deadline = ContinuousClock.now.advanced(by: limit)
        while process.isRunning {
            guard ContinuousClock.now < deadline else {
                throw TestTimeout(what: "\(process.executableURL?.lastPathComponent ?? "child") to exit")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        // Give the readers a moment to drain the pipes after exit.
        for _ in 0..<200 where !(standardOutput.isClosed && standardError.isClosed) {
            try await Task.sleep(for: .milliseconds(5))
        }
        return process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
    }

    /// Runs `executable` to completion and returns its exit status and output.
    public static func run(
        _ executable: String, _ arguments: [String] = [], directory: String? = nil, environment: [String: String] = [:],
        input: Data? = nil, within limit: Duration = .seconds(60)
    ) async throws -> (status: Int32, output: String, errors: String) {
        let child = try ChildProcess(executable, arguments, directory: directory, environment: environment, input: input)
        let status = try await child.waitForExit(within: limit)
        return (status, child.standardOutput.all.joined(separator: "\n"), child.standardError.all.joined(separator: "\n"))
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    private static func collectLines(from handle: FileHandle, into inbox: LineInbox) {
        let thread = Thread {
            var pending = Data()
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                pending.append(chunk)
                while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    inbox.append(String(decoding: pending[pending.startIndex..<newline], as: UTF8.self))
                    pending = Data(pending[(newline + 1)...])
                }
            }
            if !pending.isEmpty { inbox.append(String(decoding: pending, as: UTF8.self)) }
            inbox.close()
        }
        thread.start()
    }
}
