internal import NIOCore

/// How the start-up summary and systemd's status name a listener: the
/// address it bound (the configured one if the socket does not say).
enum ListenerURL {
    static func of(_ scheme: String, _ address: SocketAddress?, fallbackHost: String, fallbackPort: Int) -> String {
        let host = address?.ipAddress ?? fallbackHost
        let port = address?.port ?? fallbackPort
        return host.contains(":") ? "\(scheme)://[\(host)]:\(port)" : "\(scheme)://\(host):\(port)"
    }
}
