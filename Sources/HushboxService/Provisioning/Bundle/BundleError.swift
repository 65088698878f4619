/// Why a provisioning bundle was refused, and what to do. Nothing on the box
/// has changed when one is thrown before applying began.
public struct BundleError: Error, Hashable, Sendable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
