#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import PrivateFiles

/// Reads a PIN for `--pin-file`: from a file, or from standard input, where a
/// terminal gets a prompt and no echo (the PIN is not left on the screen or
/// in a terminal's scroll-back). At most one short line is read: `/dev/zero`
/// or a huge file is refused, not swallowed.
enum PINInput {
    /// More than any PIN and its line ending; a source with more is not a PIN.
    static let limit = 64

    enum Failure: Error, Equatable {
        case unreadable(String)
        case tooLong
        /// Ctrl-C at the prompt.
        case interrupted
    }

    /// The first line of `source` ("-" is standard input), without its line ending.
    static func read(_ source: String) throws(Failure) -> String {
        if source == "-" {
            return isatty(STDIN_FILENO) == 1 ? try readFromTerminal() : try readLine(from: STDIN_FILENO)
        }
        // Checked before it is opened: opening a device node can itself do something (a watchdog starts).
        guard let status = FileStatus.of(source) else { throw .unreadable(String(cString: strerror(ENOENT))) }
        guard status.type == .regular else { throw .unreadable("not a regular file") }
        let descriptor = open(source, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
        guard descriptor >= 0 else { throw .unreadable(String(cString: strerror(errno))) }
        defer { close(descriptor) }
        guard FileStatus.of(descriptor: descriptor)?.type == .regular else {
            throw .unreadable("not a regular file")
        }
        return try readLine(from: descriptor)
    }

    /// Bytes up to the first newline or the end, at most ``limit``.
    /// - Parameter interruptible: a Ctrl-C byte (the terminal's interrupt, read as a byte while ISIG is off) ends the read.
    private static func readLine(from descriptor: Int32, interruptible: Bool = false) throws(Failure) -> String {
        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        while true {
            let count = Glibc.read(descriptor, &byte, 1)
            if count < 0, errno == EINTR { continue }
            if count < 0 { throw .unreadable(String(cString: strerror(errno))) }
            if count == 0 || byte == UInt8(ascii: "\n") { break }
            if interruptible, byte == 0x03 { throw .interrupted }
            guard bytes.count < limit else { throw .tooLong }
            bytes.append(byte)
        }
        if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Prompts on standard error and reads one line with echo off, restoring the
    /// terminal after. Signals from keys are off while it reads, so Ctrl-C ends
    /// the read here (and the terminal gets its echo back) instead of killing
    /// the process with echo still off.
    private static func readFromTerminal() throws(Failure) -> String {
        var original = termios()
        guard tcgetattr(STDIN_FILENO, &original) == 0 else { return try readLine(from: STDIN_FILENO) }
        var silent = original
        silent.c_lflag &= ~tcflag_t(ECHO | ISIG)
        _ = "PIN: ".withCString { write(STDERR_FILENO, $0, 5) }
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &silent)
        defer {
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &original)
            _ = "\n".withCString { write(STDERR_FILENO, $0, 1) }
        }
        return try readLine(from: STDIN_FILENO, interruptible: true)
    }
}
