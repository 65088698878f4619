public import DNSResolver

/// RFC 3263 §4: where to send requests for a SIP URI over a chosen
/// transport. An IP address is used as it is; a host with an explicit port
/// by its A and AAAA records; otherwise NAPTR (for the SRV name of the
/// transport, where the domain publishes it), then SRV in priority and
/// weight order (RFC 2782), each target's addresses in turn, and A/AAAA on
/// the host's default port when no SRV record exists. The targets come back
/// in the order to try them: a caller fails over to the next when one does
/// not answer.
public struct SIPServerLocator: Sendable {
    public let dns: any DNSLookup
    /// At most this many targets: a domain that lists more is not tried further.
    public static let maximumTargets = 16

    public init(dns: any DNSLookup) {
        self.dns = dns
    }

    /// The NAPTR service and the SRV prefix for a transport (RFC 3263 §4.1, RFC 5630 for SIPS).
    static func service(_ transport: SIPTransport) -> (naptr: String, srvPrefix: String) {
        switch transport {
        case .tls: ("SIPS+D2T", "_sips._tcp.")
        case .tcp: ("SIP+D2T", "_sip._tcp.")
        case .udp: ("SIP+D2U", "_sip._udp.")
        }
    }

    /// The endpoints for `host` (and `port` when the URI names one) over
    /// `transport`, in the order to try them; empty when DNS names none.
    /// Throws only when DNS itself could not be asked.
    public func locate(
        host: String, port: Int?, transport: SIPTransport, using random: inout some RandomNumberGenerator
    ) async throws(DNSError) -> [SocketEndpoint] {
        let defaultPort = transport == .tls ? 5061 : 5060
        if Self.isAddress(host) { return [SocketEndpoint(host: host, port: port ?? defaultPort)] }
        if let port { return try await addresses(of: host).map { SocketEndpoint(host: $0, port: port) } }

        let (service, prefix) = Self.service(transport)
        // §4.1: NAPTR names the SRV record for each transport the domain offers.
        let naptr = try await dns.query(host, .naptr).records.compactMap { record -> NAPTRRecord? in
            guard case .naming(let naming) = record, naming.flags.lowercased() == "s", naming.service.uppercased() == service,
                !naming.replacement.isEmpty
            else { return nil }
            return naming
        }
        let srvNames = naptr.isEmpty
            ? [prefix + host]
            : naptr.sorted { ($0.order, $0.preference) < ($1.order, $1.preference) }.map(\.replacement)
        var targets: [SocketEndpoint] = []
        var sawService = false
        for name in srvNames.prefix(4) {
            let records = try await dns.query(name, .srv).records.compactMap { record -> SRVRecord? in
                if case .service(let service) = record { service } else { nil }
            }
            guard !records.isEmpty else { continue }
            sawService = true
            // RFC 2782: a lone "." target says the service is not offered at this domain.
            if records.count == 1, records[0].target.isEmpty { continue }
            for record in Self.ordered(records, using: &random) where !record.target.isEmpty && targets.count < Self.maximumTargets {
                for address in try await addresses(of: record.target) where targets.count < Self.maximumTargets {
                    targets.append(SocketEndpoint(host: address, port: Int(record.port)))
                }
            }
        }
        if sawService { return targets }
        // §4.2: no SRV records at all: the host's own addresses on the default port.
        return try await addresses(of: host).map { SocketEndpoint(host: $0, port: defaultPort) }
    }

    /// A and AAAA records, IPv4 first (the box's networks are IPv4 more often than not).
    private func addresses(of host: String) async throws(DNSError) -> [String] {
        if Self.isAddress(host) { return [host] }
        var found: [String] = []
        for type in [DNSRecordType.a, .aaaa] {
            for case .address(let address) in try await dns.query(host, type).records where !found.contains(address) {
                found.append(address)
            }
        }
        return found
    }

    /// RFC 2782's order: lowest priority first; within a priority, a weighted
    /// random choice, each record once (weight 0 records first in the draw's
    /// running sum, so they are chosen only rarely when others weigh more).
    static func ordered(_ records: [SRVRecord], using random: inout some RandomNumberGenerator) -> [SRVRecord] {
        var result: [SRVRecord] = []
        for priority in Set(records.map(\.priority)).sorted() {
            var group = records.filter { $0.priority == priority }.sorted { $0.weight < $1.weight }
            while !group.isEmpty {
                let total = group.reduce(0) { $0 + Int($1.weight) }
                let draw = total == 0 ? 0 : Int.random(in: 0...total, using: &random)
                var running = 0
                var chosen = group.count - 1
                for (index, record) in group.enumerated() {
                    running += Int(record.weight)
                    if running >= draw {
                        chosen = index
                        break
                    }
                }
                result.append(group.remove(at: chosen))
            }
        }
        return result
    }

    /// Whether `host` is an IP literal (IPv6 with or without brackets), as AddressRange parses addresses.
    static func isAddress(_ host: String) -> Bool {
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        return AddressRange.addressBytes(bare) != nil
    }
}
