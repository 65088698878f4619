import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Debian's dnsmasq as an authoritative name server for one test domain on a
/// loopback UDP port, serving the records a test gives it (dnsmasq options:
/// `--srv-host=`, `--naptr-record=`, `--host-record=`).
public struct NameServer: Sendable {
    public static let executable = "/usr/sbin/dnsmasq"
    public let port: Int
    public let process: ChildProcess

    /// Starts dnsmasq for `domain` with `records` and waits until it listens.
    public init(domain: String, records: [String], ttl: Int = 77) async throws {
        port = try Self.freeUDPPort()
        // dnsmasq runs as Python's child, not the test process's: while a
        // dnsmasq is the test process's own child, Foundation's Process stops
        // noticing other children exit (seen with swift-corelibs-foundation
        // 6.3: every later ChildProcess.run timed out). Python passes SIGTERM on.
        process = try ChildProcess("/usr/bin/python3", [
            "-c",
            "import signal, subprocess, sys; signal.pthread_sigmask(signal.SIG_SETMASK, []); child = subprocess.Popen(sys.argv[1:]); "
                + "signal.signal(signal.SIGTERM, lambda *_: child.terminate()); sys.exit(child.wait())",
            Self.executable, "--keep-in-foreground", "--port=\(port)", "--listen-address=127.0.0.1", "--bind-interfaces", "--no-resolv", "--no-hosts",
            "--conf-file=/dev/null", "--pid-file=", "--user=root", "--local-ttl=\(ttl)", "--local=/\(domain)/", "--log-facility=-",
        ] + records)
        let limit = ContinuousClock.now.advanced(by: .seconds(10))
        while !Self.answers(port: port) {
            guard ContinuousClock.now < limit, process.isRunning else {
                process.send(SIGKILL)
                throw TestTimeout(what: "dnsmasq to listen on \(port): \(process.standardError.all.suffix(5))")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Stops dnsmasq (Python passes the SIGTERM on) and waits for it.
    public func stop() async {
        process.send(SIGTERM)
        if (try? await process.waitForExit(within: .seconds(5))) == nil { process.send(SIGKILL) }
    }

    /// A UDP port on 127.0.0.1 nothing listens on (bound, then released).
    public static func freeUDPPort() throws -> Int {
        let (descriptor, port) = try boundUDPSocket()
        close(descriptor)
        return port
    }

    /// A UDP socket bound to a free port on 127.0.0.1; the caller closes it.
    public static func boundUDPSocket() throws -> (descriptor: Int32, port: Int) {
        let descriptor = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0 }
        }
        guard descriptor >= 0, bound else {
            close(descriptor)
            throw POSIXError(.EADDRINUSE)
        }
        return (descriptor, Int(UInt16(bigEndian: address.sin_port)))
    }

    /// Whether something answers a DNS query for the root's SOA on the port.
    static func answers(port: Int) -> Bool {
        let descriptor = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(descriptor) }
        var timeout = timeval(tv_sec: 0, tv_usec: 50_000)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        // ID 1, recursion desired, one question: "." SOA IN.
        let query: [UInt8] = [0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 6, 0, 1]
        let sent = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(descriptor, query, query.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard sent == query.count else { return false }
        var reply = [UInt8](repeating: 0, count: 512)
        return recv(descriptor, &reply, reply.count, 0) >= 12
    }
}
