import Foundation
import HushboxTestSupport
import DNSResolver
import SIPCore
import Synchronization
import Testing
@testable import SIPStack

/// A zone held in memory, counting the questions it is asked: the DNS data
/// the locator's logic is tested on (the real resolver is tested against
/// dnsmasq in ``SystemDNSTests``).
final class ZoneDNS: DNSLookup {
    let records: [String: [DNSRecordType: [DNSRecordData]]]
    let timeToLive: Duration
    let asked = Mutex<[String]>([])

    init(_ records: [String: [DNSRecordType: [DNSRecordData]]], timeToLive: Duration = .seconds(300)) {
        self.records = records
        self.timeToLive = timeToLive
    }

    func query(_ name: String, _ type: DNSRecordType) async throws(DNSError) -> DNSAnswer {
        asked.withLock { $0.append("\(type) \(name)") }
        return DNSAnswer(records: records[name]?[type] ?? [], timeToLive: timeToLive)
    }
}

@Suite("Locating a trunk's SIP servers (RFC 3263)")
struct SIPServerLocatorTests {
    static func srv(_ priority: UInt16, _ weight: UInt16, _ port: UInt16, _ target: String) -> DNSRecordData {
        .service(SRVRecord(priority: priority, weight: weight, port: port, target: target))
    }

    static let carrier = ZoneDNS([
        "carrier.example": [
            .naptr: [
                .naming(NAPTRRecord(order: 20, preference: 50, flags: "s", service: "SIP+D2U", regexp: "", replacement: "_sip._udp.carrier.example")),
                .naming(NAPTRRecord(order: 10, preference: 50, flags: "S", service: "SIPS+D2T", regexp: "", replacement: "_sips._tcp.tls.carrier.example")),
            ],
            .a: [.address("192.0.2.99")],
        ],
        "_sips._tcp.tls.carrier.example": [.srv: [srv(20, 0, 5071, "backup.carrier.example"), srv(10, 0, 5061, "primary.carrier.example")]],
        "_sip._udp.carrier.example": [.srv: [srv(10, 0, 5060, "udp.carrier.example")]],
        "primary.carrier.example": [.a: [.address("192.0.2.1")], .aaaa: [.address("2001:db8::1")]],
        "backup.carrier.example": [.a: [.address("192.0.2.2")]],
        "plain.example": [.a: [.address("198.51.100.7")]],
        "nosips.example": [.a: [.address("198.51.100.8")]],
        "_sips._tcp.nosips.example": [.srv: [srv(0, 0, 0, "")]],
        "srvonly.example": [:],
        "_sips._tcp.srvonly.example": [.srv: [srv(1, 0, 5061, "sip.srvonly.example")]],
        "sip.srvonly.example": [.a: [.address("203.0.113.5")]],
    ])

    func locate(_ host: String, port: Int? = nil, transport: SIPTransport = .tls, seed: UInt64 = 1, dns: ZoneDNS = carrier) async throws -> [String] {
        var random = SeededGenerator(seed: seed)
        return try await SIPServerLocator(dns: dns).locate(host: host, port: port, transport: transport, using: &random).map(\.description)
    }

    @Test("NAPTR picks the SRV name for TLS; SRV gives the primary, then the backup; each target's IPv4 and IPv6 addresses in turn")
    func naptrThenSRV() async throws {
        #expect(try await locate("carrier.example") == ["192.0.2.1:5061", "[2001:db8::1]:5061", "192.0.2.2:5071"])
        #expect(try await locate("carrier.example", transport: .udp) == [], "the UDP SRV target has no address record")
    }

    @Test("Without NAPTR the transport's SRV name is asked; without SRV the host's addresses on the default port; a port or an address skips DNS's service records")
    func fallbacks() async throws {
        #expect(try await locate("srvonly.example") == ["203.0.113.5:5061"])
        #expect(try await locate("plain.example") == ["198.51.100.7:5061"])
        #expect(try await locate("plain.example", transport: .udp) == ["198.51.100.7:5060"])
        #expect(try await locate("carrier.example", port: 5099) == ["192.0.2.99:5099"], "an explicit port: A/AAAA only (§4.2)")
        #expect(try await locate("192.0.2.50") == ["192.0.2.50:5061"])
        #expect(try await locate("nosips.example") == [], "SRV target '.': the domain offers no SIPS, and its A record is not tried")
        #expect(try await locate("unknown.example") == [])
    }

    @Test("Within a priority, SRV weights share the first attempts as RFC 2782 says; a weight of 0 is rarely first")
    func weights() {
        let records = [SRVRecord(priority: 1, weight: 0, port: 1, target: "zero"), SRVRecord(priority: 1, weight: 30, port: 1, target: "light"),
                       SRVRecord(priority: 1, weight: 70, port: 1, target: "heavy"), SRVRecord(priority: 2, weight: 100, port: 1, target: "later")]
        var random = SeededGenerator(seed: 42)
        var first: [String: Int] = [:]
        for _ in 0..<2_000 {
            let order = SIPServerLocator.ordered(records, using: &random)
            #expect(order.last?.target == "later" && Set(order.map(\.target)).count == 4)
            first[order[0].target, default: 0] += 1
        }
        #expect((1_250...1_550).contains(first["heavy"] ?? 0), "\(first)")
        #expect((450...750).contains(first["light"] ?? 0), "\(first)")
        #expect((first["zero"] ?? 0) < 60, "\(first)")
    }

    @Test("Answers are kept for their time to live and asked again after it; names are case-insensitive")
    func cache() async throws {
        let zone = ZoneDNS(["plain.example": [.a: [.address("198.51.100.7")]]], timeToLive: .seconds(30))
        let clock = ManualClock()
        let dns = CachingDNS(zone, clock: clock)
        _ = try await dns.query("plain.example", .a)
        clock.advance(by: .seconds(29))
        let kept = try await dns.query("PLAIN.example", .a)
        #expect(kept.timeToLive == .seconds(1) && kept.records == [.address("198.51.100.7")])
        #expect(zone.asked.withLock { $0.count } == 1)
        clock.advance(by: .seconds(2))
        _ = try await dns.query("plain.example", .a)
        #expect(zone.asked.withLock { $0.count } == 2, "expired: asked again")
    }
}
