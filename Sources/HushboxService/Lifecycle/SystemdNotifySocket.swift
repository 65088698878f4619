#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Sends sd_notify(3) datagrams to systemd's notification socket. The one piece
/// of the systemd integration that does IO.
public struct SystemdNotifySocket: Sendable {
    public struct SendError: Error, CustomStringConvertible {
        public let socketPath: String
        public let errorNumber: Int32
        public var description: String {
            "cannot notify systemd at \(socketPath): \(String(cString: strerror(errorNumber)))"
        }
    }

    public let path: String

    public init(path: String) {
        self.path = path
    }

    /// Sends one notification as one datagram, on a socket opened for it (as
    /// sd_notify does), so no descriptor stays open between notifications.
    public func send(_ notification: SystemdNotification) throws(SendError) {
        let descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw SendError(socketPath: path, errorNumber: errno) }
        defer { close(descriptor) }

        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        // "@name" is an abstract socket: sun_path starts with NUL and the length
        // counts only the name's bytes, without a terminating NUL.
        let isAbstract = path.hasPrefix("@")
        var pathBytes = Array(path.utf8)
        if isAbstract { pathBytes[0] = 0 }
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard pathBytes.count < capacity else { throw SendError(socketPath: path, errorNumber: ENAMETOOLONG) }
        withUnsafeMutableBytes(of: &address.sun_path) { sunPath in
            sunPath.copyBytes(from: pathBytes)
        }
        let pathOffset = MemoryLayout<sockaddr_un>.offset(of: \.sun_path) ?? 2
        let length = socklen_t(pathOffset + pathBytes.count + (isAbstract ? 0 : 1))

        let message = Array(notification.message.utf8)
        let sent = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                sendto(descriptor, message, message.count, Int32(MSG_NOSIGNAL), socketAddress, length)
            }
        }
        guard sent == message.count else { throw SendError(socketPath: path, errorNumber: errno) }
    }
}
