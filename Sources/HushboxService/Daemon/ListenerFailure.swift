internal import NIOCore

/// A listener could not bind: the one start-up failure that configuration
/// checks cannot foresee (another process holds the port). Says which listener,
/// which address, and what to do.
public struct ListenerFailure: Error, CustomStringConvertible, Hashable {
    public let listener: String
    public let address: String
    public let port: Int
    public let reason: String
    /// The configuration key that sets this listener's port, for the hint.
    public let portKey: String

    public var description: String {
        "cannot listen for the \(listener) on \(address):\(port): \(reason). Stop whatever holds that port (another hushboxd?) or choose another with \(portKey)."
    }

    /// Wraps a bind error from SwiftNIO, keeping only the part a person needs.
    init(listener: String, address: String, port: Int, portKey: String, error: any Error) {
        self.listener = listener
        self.address = address
        self.port = port
        self.portKey = portKey
        if let io = error as? IOError {
            reason = String(cString: strerror(io.errnoCode)).lowercased()
        } else {
            reason = String(describing: error)
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
