#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore

/// A call's RTP socket, read by the call itself once per 20 ms slot rather
/// than by the event loop on each datagram: the kernel holds the caller's
/// packets until the slot, and the slot drains them all. No event loop
/// wakes for a packet, and none of its channel machinery runs per packet.
/// Not Sendable: the media session that owns it uses it on its loop only.
///
/// Reads are recvfrom(2), one per datagram and one more that finds none:
/// recvmmsg(2) would save that last one, but Swift's Glibc module does not
/// show it, and a C target to wrap it changes which module owns the
/// netinet types for the whole of Media.
///
/// Once the session latches the caller's source it connects the socket to it
/// (``connect(to:)``): the kernel then drops anyone else's datagrams before
/// they take a place in the socket's buffer, so a stranger's flood cannot
/// push the caller's packets out. Before that, a slot reads the caller's
/// datagrams within a budget of its own, apart from the refused ones'.
final class CallSocket {
    /// The caller's datagrams one slot takes at most: the slot's packet and
    /// one more. A backlog (network jitter, a loop that stalled and now
    /// catches up its slots) drains one extra packet per slot from the
    /// kernel, rather than landing in the jitter buffer at once and
    /// overflowing it; a caller's flood stays in (and overflows) the kernel's buffer.
    static var datagramsPerSlot: Int { 2 }
    /// Refused datagrams (strangers, the wrong source, oversized) one slot
    /// reads and drops at most, apart from the caller's budget: a flood costs
    /// a call at most this many reads per 20 ms, and the caller's packets
    /// behind it are still reached.
    static var refusedPerSlot: Int { 1_024 }
    /// Larger than any RTP packet a call carries (Opus at most 1275 bytes of
    /// payload); a longer datagram is cut short by the kernel and dropped.
    static var bufferCapacity: Int { 2048 }

    private let descriptor: Int32
    let localPort: Int
    private let buffer: UnsafeMutableRawBufferPointer
    /// The last source seen and its text form: one peer sends all a call's
    /// packets, so its address is turned into text once, not per packet.
    private var lastSource: (bytes: [UInt8], endpoint: MediaEndpoint)?
    /// Where packets went last, as a socket address.
    private var sendTarget = SendTarget()
    private(set) var isClosed = false
    /// Datagrams longer than the buffer, dropped (no RTP packet of a call is).
    private(set) var oversized = 0
    /// Datagrams the kernel dropped because the socket's buffer was full, as
    /// it last said (read again at close).
    private var droppedByKernelAtClose: Int?
    /// The source the socket is connected to (the latched caller), if any.
    private(set) var connectedTo: MediaEndpoint?

    /// Binds a non-blocking UDP socket to `host` (an IP literal) and `port` (0: any).
    init(host: String, port: Int) throws {
        let address = try SocketAddress(ipAddress: host, port: port)
        let family = address.protocol.rawValue
        let descriptor = socket(family, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw CallSocketError.socket(errno: errno) }
        let bound = address.withSockAddr { pointer, length in bind(descriptor, pointer, socklen_t(length)) }
        guard bound == 0 else {
            let failure = errno
            _ = Glibc.close(descriptor)
            throw CallSocketError.bind(host: host, port: port, errno: failure)
        }
        var local = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let named = withUnsafeMutablePointer(to: &local) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard named == 0, let port = Self.endpoint(local, length)?.port else {
            let failure = errno
            _ = Glibc.close(descriptor)
            throw CallSocketError.socket(errno: failure)
        }
        self.descriptor = descriptor
        localPort = port
        buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.bufferCapacity, alignment: 16)
    }

    deinit {
        close()
        buffer.deallocate()
    }

    func close() {
        guard !isClosed else { return }
        droppedByKernelAtClose = droppedByKernel
        isClosed = true
        _ = Glibc.close(descriptor)
    }

    /// Datagrams the kernel dropped for want of room in the socket's buffer
    /// (SO_MEMINFO's drop count): the call fell behind, or was flooded
    /// before it latched.
    var droppedByKernel: Int {
        if let droppedByKernelAtClose { return droppedByKernelAtClose }
        // SO_MEMINFO (55) fills SK_MEMINFO_VARS counters; the drop count is the ninth (SK_MEMINFO_DROPS).
        var counters = [UInt32](repeating: 0, count: 9)
        var length = socklen_t(counters.count * MemoryLayout<UInt32>.size)
        guard getsockopt(descriptor, SOL_SOCKET, 55, &counters, &length) == 0, Int(length) >= 9 * MemoryLayout<UInt32>.size else { return 0 }
        return Int(counters[8])
    }

    /// Only `source` may reach the socket from now on (the kernel drops the
    /// rest); our packets still go where ``send(_:to:)`` says.
    func connect(to source: MediaEndpoint) {
        guard !isClosed, connectedTo != source, let address = try? SocketAddress(ipAddress: source.host, port: source.port) else { return }
        let connected = address.withSockAddr { pointer, length in Glibc.connect(descriptor, pointer, socklen_t(length)) }
        connectedTo = connected == 0 ? source : nil
    }

    /// Anyone may reach the socket again (the caller's media moved: a re-INVITE).
    func disconnect() {
        guard !isClosed, connectedTo != nil else { return }
        var unspecified = sockaddr()
        unspecified.sa_family = sa_family_t(AF_UNSPEC)
        _ = Glibc.connect(descriptor, &unspecified, socklen_t(MemoryLayout<sockaddr>.size))
        connectedTo = nil
    }

    /// Hands every datagram waiting from a source `admits` lets through (at
    /// most ``datagramsPerSlot``) to `body`, with its source, in the order
    /// they arrived; reads and drops the refused ones (at most
    /// ``refusedPerSlot``). Returns how many were handed over.
    @discardableResult
    func readWaiting(admitting admits: (MediaEndpoint) -> Bool, _ body: (UnsafeRawBufferPointer, MediaEndpoint) -> Void) -> Int {
        var handed = 0
        var refused = 0
        while !isClosed, handed < Self.datagramsPerSlot, refused < Self.refusedPerSlot {
            var storage = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let received = withUnsafeMutablePointer(to: &storage) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                    recvfrom(descriptor, buffer.baseAddress, buffer.count, Int32(MSG_DONTWAIT) | Int32(MSG_TRUNC), address, &length)
                }
            }
            // Nothing waiting, or an error a UDP socket reports for an earlier send
            // (ICMP unreachable from a caller who left): nothing more this slot.
            guard received >= 0 else { break }
            guard let source = source(storage, length), admits(source) else {
                refused += 1
                continue
            }
            // MSG_TRUNC: the datagram's real length, so one longer than the buffer is seen and dropped.
            guard received <= buffer.count else {
                oversized += 1
                refused += 1
                continue
            }
            handed += 1
            body(UnsafeRawBufferPointer(rebasing: buffer[..<received]), source)
        }
        return handed
    }

    /// Sends one datagram; a failure (the peer's port closed, the kernel's
    /// buffer full) loses this packet only, as UDP would. Throws when the
    /// target is no IP address (an SDP that named a host).
    func send(_ bytes: [UInt8], to target: MediaEndpoint) throws {
        guard !isClosed else { return }
        let address = try sendTarget.address(for: target)
        _ = bytes.withUnsafeBytes { payload in
            address.withSockAddr { pointer, length in
                sendto(descriptor, payload.baseAddress, payload.count, Int32(MSG_DONTWAIT), pointer, socklen_t(length))
            }
        }
    }

    private func source(_ storage: sockaddr_storage, _ length: socklen_t) -> MediaEndpoint? {
        let size = min(Int(length), MemoryLayout<sockaddr_storage>.size)
        return withUnsafeBytes(of: storage) { bytes -> MediaEndpoint? in
            let address = UnsafeRawBufferPointer(rebasing: bytes[..<size])
            if let lastSource, lastSource.bytes.elementsEqual(address) { return lastSource.endpoint }
            guard let endpoint = Self.endpoint(storage, length) else { return nil }
            lastSource = (Array(address), endpoint)
            return endpoint
        }
    }

    /// The address as the text a socket reports (`::ffff:a.b.c.d` for IPv4 on
    /// a dual-stack socket, as NIO's sockets say it), and the port.
    static func endpoint(_ storage: sockaddr_storage, _ length: socklen_t) -> MediaEndpoint? {
        var storage = storage
        var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
        var service = [CChar](repeating: 0, count: Int(NI_MAXSERV))
        let status = withUnsafePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                getnameinfo(address, length, &host, socklen_t(host.count), &service, socklen_t(service.count), NI_NUMERICHOST | NI_NUMERICSERV)
            }
        }
        guard status == 0, let port = Int(string(service)) else { return nil }
        // A link-local address comes with its scope (fe80::1%eth0); as a socket reports it, without.
        let text = string(host)
        return MediaEndpoint(host: String(text.prefix { $0 != "%" }), port: port)
    }

    private static func string(_ text: [CChar]) -> String {
        String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// Why a call's RTP socket could not be made.
public enum CallSocketError: Error, Hashable, CustomStringConvertible {
    case socket(errno: Int32)
    case bind(host: String, port: Int, errno: Int32)

    public var description: String {
        switch self {
        case .socket(let code):
            "a UDP socket for the call's media could not be made: \(String(cString: strerror(code)))"
        case .bind(let host, let port, let code):
            "the call's media port \(host):\(port) could not be bound: \(String(cString: strerror(code))); is the RTP port range (sip.rtp_ports) in use by another program?"
        }
    }
}
