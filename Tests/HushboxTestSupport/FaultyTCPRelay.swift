import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A TCP relay on 127.0.0.1 in front of another loopback port that can break
/// the network the way a real uplink does: reset a connection in the middle of
/// a request, or let the box's bytes through slowly. It relays bytes only, so
/// it works under TLS, where an HTTP-level stand-in could not reach.
public final class FaultyTCPRelay: Sendable {
    public let port: Int
    private let upstreamPort: Int
    private let listener: Int32
    private let state = Mutex(State())

    struct State {
        /// How many more connections to reset, each once it carried this many bytes towards the server.
        var resets: (remaining: Int, afterBytes: Int) = (0, 0)
        var bytesPerSecond: Int?
        var forwardedUpstream = 0
        var resetsDone = 0
        var open: Set<Int32> = []
        /// Per client socket, how many of its two directions have ended.
        var finishedHalves: [Int32: Int] = [:]
        var stopped = false
    }

    public init(upstreamPort: Int) throws {
        self.upstreamPort = upstreamPort
        (listener, port) = try PortHolder.listeningSocket(backlog: 64)
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    /// The next `connections` connections to carry `afterBytes` towards the
    /// server are reset there (RST, no goodbye), whichever connections they are.
    public func reset(connections: Int, afterBytes: Int) {
        state.withLock { $0.resets = (connections, afterBytes) }
    }

    /// Limits what the client sends to about `bytesPerSecond`; nil: full speed.
    public func throttle(bytesPerSecond: Int?) {
        state.withLock { $0.bytesPerSecond = bytesPerSecond }
    }

    /// Bytes relayed from clients to the server so far.
    public var forwardedUpstream: Int { state.withLock { $0.forwardedUpstream } }
    /// How many connections were reset mid-stream.
    public var resetsDone: Int { state.withLock { $0.resetsDone } }

    public func stop() {
        let descriptors = state.withLock { state in
            state.stopped = true
            return state.open
        }
        shutdown(listener, Int32(SHUT_RDWR))
        for descriptor in descriptors { shutdown(descriptor, Int32(SHUT_RDWR)) }
    }

    deinit {
        stop()
        close(listener)
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        return address
    }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                return
            }
            let server = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            var address = Self.loopback(port: upstreamPort)
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(server, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            let relaying = state.withLock { state in
                guard !state.stopped, connected == 0 else { return false }
                state.open.formUnion([client, server])
                return true
            }
            guard relaying else {
                close(client)
                close(server)
                continue
            }
            let done: @Sendable () -> Void = { [self] in
                let last = state.withLock { state in
                    state.finishedHalves[client, default: 0] += 1
                    guard state.finishedHalves[client] == 2 else { return false }
                    state.finishedHalves[client] = nil
                    state.open.subtract([client, server])
                    return true
                }
                shutdown(client, Int32(SHUT_RDWR))
                shutdown(server, Int32(SHUT_RDWR))
                if last {
                    close(client)
                    close(server)
                }
            }
            Thread { [self] in
                pump(from: client, to: server, upstream: true)
                done()
            }.start()
            Thread { [self] in
                pump(from: server, to: client, upstream: false)
                done()
            }.start()
        }
    }

    private func pump(from source: Int32, to destination: Int32, upstream: Bool) {
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        var carried = 0
        while true {
            var slice = buffer.count
            let (rate, resetAt) = upstream ? state.withLock { ($0.bytesPerSecond, $0.resets.remaining > 0 ? $0.resets.afterBytes : nil) } : (nil, nil)
            if let rate { slice = max(1, min(slice, rate / 10)) }
            if let resetAt, resetAt > carried { slice = min(slice, resetAt - carried) }
            let count = buffer.withUnsafeMutableBytes { read(source, $0.baseAddress, slice) }
            if count <= 0 { return }
            var written = 0
            while written < count {
                let sent = buffer.withUnsafeBytes { send(destination, $0.baseAddress! + written, count - written, Int32(MSG_NOSIGNAL)) }
                if sent <= 0 { return }
                written += sent
            }
            carried += count
            if upstream {
                let resetting = state.withLock { state in
                    state.forwardedUpstream += count
                    guard state.resets.remaining > 0, carried >= state.resets.afterBytes else { return false }
                    state.resets.remaining -= 1
                    state.resetsDone += 1
                    return true
                }
                if resetting {
                    // SO_LINGER 0: the client sees a reset, as when a middlebox drops the connection.
                    var linger = linger(l_onoff: 1, l_linger: 0)
                    setsockopt(source, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<linger>.size))
                    return
                }
            }
            if rate != nil { usleep(100_000) }
        }
    }
}
