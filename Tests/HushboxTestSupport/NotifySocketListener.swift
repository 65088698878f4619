import Foundation
import Synchronization

/// Plays systemd's side of sd_notify(3): a Unix datagram socket that collects
/// every notification a daemon sends to it.
public final class NotifySocketListener: Sendable {
    public let path: String
    public let messages = LineInbox()
    private let descriptor: Int32
    private let stopped = StopFlag()

    public init(path: String) throws {
        self.path = path
        descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard bound == 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        // A receive timeout lets the reading thread notice stop() promptly.
        var timeout = timeval(tv_sec: 0, tv_usec: 50_000)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let thread = Thread { [descriptor, messages, stopped] in
            var buffer = [UInt8](repeating: 0, count: 4096)
            while !stopped.isSet {
                let count = recv(descriptor, &buffer, buffer.count, 0)
                if count > 0 {
                    messages.append(String(decoding: buffer[0..<count], as: UTF8.self))
                }
            }
            close(descriptor)
            messages.close()
        }
        thread.start()
    }

    public func stop() {
        stopped.set()
    }

    deinit {
        stop()
    }
}

/// A flag one thread sets and another polls.
final class StopFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    var isSet: Bool { flag.load(ordering: .acquiring) }
    func set() { flag.store(true, ordering: .releasing) }
}
