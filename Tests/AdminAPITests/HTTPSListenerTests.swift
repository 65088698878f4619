import AdminAPI
import AsyncHTTPClient
import Foundation
import Hummingbird
import HushboxTestSupport
import Logging
import NIOCore
import NIOHTTP1
import NetworkLimits
import NIOSSL
import ServiceLifecycle
import Synchronization
import Testing
import Vault

extension AdminAPISuite {
    /// The real listeners on loopback: HTTPS with a throwaway certificate, the
    /// TLS versions it accepts, its connection limits, and the plain-HTTP port
    /// that only redirects.
    @Suite("HTTPS listener")
    struct HTTPSListenerTests {
        /// Runs `application` until `body` ends, handing it the bound port.
        static func serving<App: ApplicationProtocol>(
            _ make: (@escaping @Sendable (any Channel) async -> Void) throws -> App, _ body: (Int) async throws -> Void
        ) async throws {
            let port = Mutex<Int?>(nil)
            let application = try make { channel in port.withLock { $0 = channel.localAddress?.port } }
            // A graceful shutdown, as the daemon's: cancelling the server outright trips NIO on connections still queued.
            let group = ServiceGroup(configuration: .init(services: [application], logger: Logger(label: "test")))
            let server = Task { try await group.run() }
            defer { server.cancel() }
            var bound: Int?
            for _ in 0..<200 where bound == nil {
                bound = port.withLock { $0 }
                if bound == nil { try await Task.sleep(for: .milliseconds(25)) }
            }
            try await body(try #require(bound))
            await group.triggerGracefulShutdown()
            try await server.value
        }

        static func client(certificatePEM: String, maximumVersion: TLSVersion? = nil, minimumVersion: TLSVersion = .tlsv1) throws -> HTTPClient {
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.trustRoots = .certificates([try NIOSSLCertificate(bytes: Array(certificatePEM.utf8), format: .pem)])
            tls.maximumTLSVersion = maximumVersion
            tls.minimumTLSVersion = minimumVersion
            var configuration = HTTPClient.Configuration(tlsConfiguration: tls)
            configuration.timeout = .init(connect: .seconds(5), read: .seconds(5))
            return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        }

        @Test("HTTPS with the device certificate: TLS 1.3 and 1.2 are served with the security headers; TLS 1.1 is refused")
        func versions() async throws {
            let box = try AdminFixture()
            let certificate = try TestCertificate.selfSigned()
            let certificateFile = try box.directory.write(certificate.certificatePEM, to: "certificate.pem")
            let keyFile = try box.directory.write(certificate.privateKeyPEM, to: "private-key.pem")
            let tls = try AdminServer.tlsConfiguration(certificatePath: certificateFile, privateKeyPath: keyFile)
            let key = try #require(box.own.keys[.viewer]).token
            try await Self.serving({ running in
                try AdminServer.application(backend: box.backend, address: "127.0.0.1", port: 0, tls: tls, onServerRunning: running, logger: Logger(label: "test"))
            }) { port in
                for (minimum, maximum) in [(TLSVersion.tlsv13, TLSVersion?.none), (.tlsv12, .tlsv12)] {
                    let client = try Self.client(certificatePEM: certificate.certificatePEM, maximumVersion: maximum, minimumVersion: minimum)
                    var request = HTTPClientRequest(url: "https://127.0.0.1:\(port)/api/v1/me")
                    request.headers.add(name: "Authorization", value: "Bearer \(key)")
                    let response = try await client.execute(request, timeout: .seconds(5))
                    #expect(response.status == .ok, "\(minimum)")
                    #expect(response.headers["Strict-Transport-Security"].first == "max-age=31536000")
                    #expect(response.headers["Content-Security-Policy"].first?.contains("frame-ancestors 'none'") == true)
                    _ = try await response.body.collect(upTo: 1 << 16)
                    try await client.shutdown()
                }
                let old = try Self.client(certificatePEM: certificate.certificatePEM, maximumVersion: .tlsv11)
                await #expect(throws: (any Error).self) {
                    _ = try await old.execute(HTTPClientRequest(url: "https://127.0.0.1:\(port)/api/v1/me"), timeout: .seconds(5))
                }
                try await old.shutdown()
                // Plain HTTP on the HTTPS port gets nothing back.
                await #expect(throws: (any Error).self) { _ = try await offPool { try LoopbackHTTP.get(port: port, path: "/api/v1/me") } }
            }
        }

        @Test("a source's connections past its limit are closed at once; a connection that never sends a request is closed at the deadline")
        func connectionLimits() async throws {
            let box = try AdminFixture()
            let certificate = try TestCertificate.selfSigned()
            let tls = try AdminServer.tlsConfiguration(
                certificatePath: try box.directory.write(certificate.certificatePEM, to: "c.pem"), privateKeyPath: try box.directory.write(certificate.privateKeyPEM, to: "k.pem")
            )
            try await Self.serving({ running in
                try AdminServer.application(
                    backend: box.backend, address: "127.0.0.1", port: 0, tls: tls, limits: .init(total: 8, perSource: 2, requestDeadline: .seconds(1)),
                    onServerRunning: running, logger: Logger(label: "test")
                )
            }) { port in
                let (extraClosed, silentClosed) = try await offPool {
                    let held = (0..<2).map { _ in LoopbackSocket(type: Int32(SOCK_STREAM.rawValue), port: port) }
                    let extra = LoopbackSocket(type: Int32(SOCK_STREAM.rawValue), port: port)
                    defer { for socket in held + [extra] { socket.close() } }
                    guard held.allSatisfy({ $0.connect() }), extra.connect() else { return (false, false) }
                    return (Self.closedByPeer(extra), Self.closedByPeer(held[0]))
                }
                #expect(extraClosed, "the third connection from one address is closed")
                #expect(silentClosed, "a silent connection is closed at the 1 s deadline")
            }
        }

        /// Whether the peer closes the connection within the socket's 5 s receive timeout.
        static func closedByPeer(_ socket: LoopbackSocket) -> Bool {
            var byte: UInt8 = 0
            return recv(socket.descriptor, &byte, 1, 0) == 0
        }

        @Test("the plain-HTTP port answers anything with one redirect to the HTTPS root: no path reflected; the browser's host only when listening on a wildcard, and only a plain one")
        func redirect() async throws {
            try await Self.serving({ running in
                AdminServer.redirectApplication(address: "0.0.0.0", port: 0, httpsPort: 8443, onServerRunning: running, logger: Logger(label: "test"))
            }) { port in
                let plain = try await offPool { try LoopbackHTTP.get(port: port, path: "/api/v1/messages?x=<script>", hostHeader: "hushbox.praxis.example") }
                #expect(plain.status == 308)
                #expect(plain.headers.contains("Location: https://hushbox.praxis.example:8443/"))
                #expect(plain.body.isEmpty)
                let forged = try await offPool { try LoopbackHTTP.get(port: port, path: "/", hostHeader: "evil.example/\r\nX: y") }
                #expect(forged.headers.contains("https://0.0.0.0:8443/"))
                let unicode = try await offPool { try LoopbackHTTP.get(port: port, path: "/", hostHeader: "[\u{FF10}\u{FF11}::1]") }
                #expect(unicode.headers.contains("https://0.0.0.0:8443/"))
                let literal = try await offPool { try LoopbackHTTP.get(port: port, path: "/", hostHeader: "[fd00::7]:80") }
                #expect(literal.headers.contains("https://[fd00::7]:8443/"))
            }
            try await Self.serving({ running in
                AdminServer.redirectApplication(address: "127.0.0.1", port: 0, httpsPort: 8443, onServerRunning: running, logger: Logger(label: "test"))
            }) { port in
                let fixed = try await offPool { try LoopbackHTTP.get(port: port, path: "/", hostHeader: "evil.example") }
                #expect(fixed.headers.contains("Location: https://127.0.0.1:8443/"), "a configured address is where it sends")
            }
        }
    }
}
