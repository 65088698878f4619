#if canImport(Glibc)
public import Glibc
#endif

/// A plain socket aimed at a port on 127.0.0.1, with a 5 s receive timeout,
/// for tests that speak to a peer byte by byte (SIP over UDP, baresip's ctrl_tcp).
public struct LoopbackSocket: Sendable {
    public let descriptor: Int32
    /// 127.0.0.1:`port`, for `connect` or `sendto`.
    public var address: sockaddr_in

    /// - Parameter type: `SOCK_DGRAM` or `SOCK_STREAM`.
    public init(type: Int32, port: Int) {
        descriptor = socket(AF_INET, type, 0)
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
    }

    /// Connects a stream socket to `address`; false if it could not.
    public func connect() -> Bool {
        var address = address
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }

    public func close() { Glibc.close(descriptor) }
}
