/// Why the daemon refused to start after its configuration loaded: a missing or
/// unsafe data directory, a secret or TLS file that fails its checks. The text
/// says what to fix; the daemon exits before listening.
public struct StartupError: Error, CustomStringConvertible, Hashable {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
