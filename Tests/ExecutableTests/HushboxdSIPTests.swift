import Foundation
import HushboxTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// hushboxd answering SIP on loopback, configured through `sip.peers`.
@Suite("hushboxd SIP listeners")
struct HushboxdSIPTests {
    static let configuration = """
        sip:
          peers:
            lab:
              kind: device
              sources: [127.0.0.1]
              plaintext: true

        """

    /// One UDP request and the responses it gets within `window`.
    static func exchange(_ request: String, port: Int, responses: Int) throws -> [String] {
        let loopback = LoopbackSocket(type: Int32(SOCK_DGRAM.rawValue), port: port)
        let socket = loopback.descriptor
        defer { loopback.close() }
        var address = loopback.address
        let bytes = Array(request.utf8)
        _ = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(socket, bytes, bytes.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        var received: [String] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while received.count < responses {
            let count = recv(socket, &buffer, buffer.count, 0)
            guard count > 0 else { break }
            received.append(String(decoding: buffer[..<count], as: UTF8.self))
        }
        return received
    }

    static func request(_ method: String, port: Int, body: String = "") -> String {
        var lines = [
            "\(method) sip:100@127.0.0.1:\(port) SIP/2.0", "Via: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bK-\(method)-1;rport",
            "Max-Forwards: 70", "From: <sip:lab@127.0.0.1>;tag=77", "To: <sip:100@127.0.0.1>", "Call-ID: daemon-\(method)@test",
            "CSeq: 1 \(method)", "Contact: <sip:lab@127.0.0.1:5999>",
        ]
        if !body.isEmpty { lines.append("Content-Type: application/sdp") }
        lines.append("Content-Length: \(body.utf8.count)")
        return lines.joined(separator: "\r\n") + "\r\n\r\n" + body
    }

    @Test("listens on UDP, TCP and TLS once ready, answers OPTIONS from a plaintext peer, gives a call for an unknown user 404, and never dumps core")
    func answersOnLoopback() async throws {
        let directory = try TemporaryDirectory()
        let file = try directory.write(Self.configuration, to: "hushbox.yaml")
        let systemd = try NotifySocketListener(path: directory.child("notify.sock"))
        defer { systemd.stop() }
        let daemon = try ChildProcess(
            try BuiltProducts.path(of: "hushboxd"), ["--dev", "--config", file], directory: directory.path,
            environment: HushboxdLifecycleTests.environment(["NOTIFY_SOCKET": systemd.path, "HUSHBOX_OPS_PORT": "0"])
        )
        let ready = try await systemd.messages.waitFor("READY=1") { $0.hasPrefix("READY=1") }
        for transport in ["udp", "tcp", "tls"] {
            #expect(ready.contains("\(transport) 127.0.0.1:"), "\(ready)")
        }
        let udpPort = try #require(ready.firstRange(of: /udp 127\.0\.0\.1:(\d+)/).flatMap { Int(ready[$0].split(separator: ":").last ?? "") })
        // A crash must not write the keys in memory to disk: no core file, whatever the shell's limit.
        let limits = try String(contentsOfFile: "/proc/\(daemon.processIdentifier)/limits", encoding: .utf8)
        let coreLimit = limits.split(separator: "\n").first { $0.hasPrefix("Max core file size") }
        #expect(coreLimit?.split(separator: " ", omittingEmptySubsequences: true).dropFirst(4).prefix(2) == ["0", "0"], "\(coreLimit ?? "no core limit line")")

        let options = try Self.exchange(Self.request("OPTIONS", port: udpPort), port: udpPort, responses: 1)
        #expect(options.first?.hasPrefix("SIP/2.0 200 OK") == true)
        #expect(options.first?.contains("Allow: INVITE, ACK, BYE, CANCEL, OPTIONS") == true)

        let offer = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n"
        let invite = try Self.exchange(Self.request("INVITE", port: udpPort, body: offer), port: udpPort, responses: 2)
        #expect(invite.map { $0.prefix(15) } == ["SIP/2.0 100 Try", "SIP/2.0 404 Not"])
        let logged = try await daemon.standardError.waitFor("the 404 logged with its call id") { $0.contains("daemon-INVITE@test") }
        #expect(!logged.contains("sip:lab@"), "log lines carry call ids, not user parts")

        daemon.send(SIGTERM)
        #expect(try await daemon.waitForExit(within: .seconds(3)) == 0)
    }
}
