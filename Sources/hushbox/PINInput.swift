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
    /// A password is read the same way, with its own prompt and a longer limit.
    static func read(_ source: String, prompt: String = "PIN: ", limit: Int = limit) throws(Failure) -> String {
        if source == "-" {
            return isatty(STDIN_FILENO) == 1
                ? try TerminalInput.readHidden(prompt: prompt, limit: limit) : try TerminalInput.readLine(from: STDIN_FILENO, limit: limit)
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
        return try TerminalInput.readLine(from: descriptor, limit: limit)
    }
}
