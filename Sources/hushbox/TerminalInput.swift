#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One line at a time from standard input or a file descriptor, bounded: a
/// PIN, a password, a technician's answer. At a terminal a secret is read
/// with echo off, so it is not left on the screen or in the scroll-back.
enum TerminalInput {
    /// Bytes up to the first newline or the end, at most `limit`.
    /// - Parameter interruptible: a Ctrl-C byte (the terminal's interrupt, read as a byte while ISIG is off) ends the read.
    /// - Parameter endIsInterrupt: the end of the input before any byte is an interrupt, not an empty line.
    static func readLine(from descriptor: Int32, limit: Int, interruptible: Bool = false, endIsInterrupt: Bool = false) throws(PINInput.Failure) -> String {
        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        while true {
            let count = Glibc.read(descriptor, &byte, 1)
            if count < 0, errno == EINTR { continue }
            if count < 0 { throw .unreadable(String(cString: strerror(errno))) }
            if count == 0, endIsInterrupt, bytes.isEmpty { throw .interrupted }
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
    /// the process with echo still off. Not a terminal: an ordinary line.
    static func readHidden(prompt: String, limit: Int) throws(PINInput.Failure) -> String {
        var original = termios()
        guard isatty(STDIN_FILENO) == 1, tcgetattr(STDIN_FILENO, &original) == 0 else {
            write(prompt)
            return try readLine(from: STDIN_FILENO, limit: limit, endIsInterrupt: true)
        }
        var silent = original
        silent.c_lflag &= ~tcflag_t(ECHO | ISIG)
        write(prompt)
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &silent)
        defer {
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &original)
            write("\n")
        }
        return try readLine(from: STDIN_FILENO, limit: limit, interruptible: true, endIsInterrupt: true)
    }

    /// Prompts on standard error and reads one line as typed.
    static func read(prompt: String, limit: Int) throws(PINInput.Failure) -> String {
        write(prompt)
        return try readLine(from: STDIN_FILENO, limit: limit, endIsInterrupt: true)
    }

    private static func write(_ text: String) {
        _ = text.withCString { Glibc.write(STDERR_FILENO, $0, strlen($0)) }
    }
}
