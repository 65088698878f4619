import Foundation
import HushboxTestSupport
import Testing
import DNSResolver
@testable import SIPStack

#if canImport(Glibc)
import Glibc
#endif

/// glibc's resolver against a real name server: Debian's dnsmasq on a
/// loopback port, serving a carrier's NAPTR, SRV and A records.
@Suite("DNS through libresolv, against dnsmasq")
struct SystemDNSTests {
    static let records = [
        "--naptr-record=sip.test,10,50,s,SIPS+D2T,,_sips._tcp.sip.test",
        "--srv-host=_sips._tcp.sip.test,kam2.sip.test,5062,20,10",
        "--srv-host=_sips._tcp.sip.test,kam1.sip.test,5061,10,60",
        "--host-record=kam1.sip.test,127.0.0.1", "--host-record=kam2.sip.test,127.0.0.2",
    ]

    @Test("NAPTR, SRV and A records come back as the server holds them, with their TTL; a name that does not exist is an empty answer")
    func records() async throws {
        let server = try await NameServer(domain: "sip.test", records: Self.records)
        do {
            try await check(SystemDNS(server: ("127.0.0.1", server.port)))
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    func check(_ dns: SystemDNS) async throws {
        let naptr = try await dns.query("sip.test", .naptr)
        #expect(naptr.records == [.naming(NAPTRRecord(order: 10, preference: 50, flags: "s", service: "SIPS+D2T", regexp: "", replacement: "_sips._tcp.sip.test"))])
        let srv = try await dns.query("_sips._tcp.sip.test", .srv)
        #expect(Set(srv.records) == [
            .service(SRVRecord(priority: 10, weight: 60, port: 5061, target: "kam1.sip.test")),
            .service(SRVRecord(priority: 20, weight: 10, port: 5062, target: "kam2.sip.test")),
        ])
        let a = try await dns.query("kam2.sip.test", .a)
        #expect(a.records == [.address("127.0.0.2")] && a.timeToLive == .seconds(77))
        #expect(try await dns.query("nobody.sip.test", .a).records.isEmpty)
        #expect(try await dns.query("kam1.sip.test", .aaaa).records.isEmpty)

        var random = SeededGenerator(seed: 3)
        let targets = try await SIPServerLocator(dns: dns).locate(host: "sip.test", port: nil, transport: .tls, using: &random)
        #expect(targets.map(\.description) == ["127.0.0.1:5061", "127.0.0.2:5062"], "priority 10 before 20")
    }

    @Test("A name server that does not answer is an error within its timeout, not a hang; a name that is no name is refused unasked")
    func noAnswer() async throws {
        // A name server that takes the question and never answers: a socket the test holds and never reads.
        let silent = try NameServer.boundUDPSocket()
        defer { close(silent.descriptor) }
        let dns = try SystemDNS(server: ("127.0.0.1", silent.port), timeoutSeconds: 1, attempts: 1)
        let started = ContinuousClock.now
        let error = await #expect(throws: DNSError.self) { try await dns.query("sip.test", .srv) }
        // One try of one second (glibc's own default would be two of five), as the resolver's thread waited;
        // the test's own wall time also holds whatever a loaded machine makes the awaiting task wait.
        let waited = try #require(error?.waited)
        #expect(waited >= .milliseconds(900) && waited < .seconds(4), "the resolver gave up after \(waited)")
        #expect(ContinuousClock.now - started < .seconds(60), "not a hang")
        await #expect(throws: DNSError.self) { try await dns.query(String(repeating: "a", count: 300), .a) }
        await #expect(throws: DNSError.self) { try await dns.query("bad name", .a) }
        #expect(throws: DNSError.self) { try SystemDNS(server: ("::1", 53)) }
    }
}
