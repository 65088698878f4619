import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// baresip's `ctrl_tcp` module (INTEROP-NOTES.md): JSON commands framed as
/// netstrings on a loopback TCP port; it answers each with a response that
/// echoes the command's token. Add `module ctrl_tcp.so` and
/// `ctrl_tcp_listen 127.0.0.1:PORT` to the config (``BaresipHome/write(in:sipPort:audioSource:account:controlPort:)``).
public struct BaresipControl: Sendable {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public let port: Int

    public init(port: Int) {
        self.port = port
    }

    /// Sends one command and returns baresip's response (the JSON inside the netstring).
    /// Call-scoped commands such as `sndcode` exist only while a call is up;
    /// outside one baresip answers "command not found".
    public func send(_ command: String, _ parameters: String) throws -> String {
        let loopback = LoopbackSocket(type: Int32(SOCK_STREAM.rawValue), port: port)
        let socket = loopback.descriptor
        guard socket >= 0 else { throw Failure(description: "socket: errno \(errno)") }
        defer { loopback.close() }
        var address = loopback.address
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw Failure(description: "baresip's ctrl_tcp on 127.0.0.1:\(port) refused the connection (errno \(errno))") }
        let token = "hushbox-\(UInt32.random(in: 0...UInt32.max))"
        let json = try JSONSerialization.data(withJSONObject: ["command": command, "params": parameters, "token": token])
        let frame = Array("\(json.count):".utf8) + [UInt8](json) + Array(",".utf8)
        guard Glibc.send(socket, frame, frame.count, 0) == frame.count else { throw Failure(description: "sending \(command) failed (errno \(errno))") }
        // Events may arrive first; read netstrings until the response carrying our token.
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            while let (message, rest) = Self.netstring(in: received) {
                received = rest
                if message.contains("\"response\""), message.contains("\"token\":\"\(token)\"") { return message }
            }
            let count = recv(socket, &buffer, buffer.count, 0)
            guard count > 0 else { throw Failure(description: "no response to \(command) within 5 s") }
            received += buffer[..<count]
        }
    }

    /// The first whole netstring (`LENGTH:BYTES,`) in `bytes` and what follows it.
    static func netstring(in bytes: [UInt8]) -> (String, [UInt8])? {
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")),
              let length = Int(String(decoding: bytes[..<colon], as: UTF8.self)),
              bytes.count > colon + length + 1 else { return nil }
        let body = bytes[(colon + 1)..<(colon + 1 + length)]
        return (String(decoding: body, as: UTF8.self), Array(bytes[(colon + length + 2)...]))
    }
}
