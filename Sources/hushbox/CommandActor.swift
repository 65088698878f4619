import Foundation

/// The pseudonymous actor the audit log records for a command run on the box:
/// the local account's uid, never its name.
enum CommandActor {
    static var current: String { "cli:uid-\(getuid())" }
}
