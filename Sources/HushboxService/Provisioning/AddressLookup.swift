import Foundation
internal import SIPCore

/// The addresses a host name has now, for `IPAddressAllow=`: what provisioning
/// resolves once for each uplink receiver, registrar and webhook. A literal
/// address is returned as it is; a name that does not resolve is an error the
/// technician sees, not a silently narrower firewall.
public enum AddressLookup {
    public static func addresses(of host: String) throws(BundleError) -> [String] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, nil, &hints, &result)
        guard status == 0, let first = result else {
            throw BundleError("cannot resolve \(host) (\(String(cString: gai_strerror(status)))): the service's firewall needs its addresses. Check the box's network and DNS, then provision again")
        }
        defer { freeaddrinfo(first) }
        var addresses: [String] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let entry = cursor {
            var text = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            if getnameinfo(entry.pointee.ai_addr, entry.pointee.ai_addrlen, &text, socklen_t(text.count), nil, 0, NI_NUMERICHOST) == 0 {
                let address = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                if !addresses.contains(address) { addresses.append(address) }
            }
            cursor = entry.pointee.ai_next
        }
        return addresses
    }

    /// The name servers in /etc/resolv.conf: the service resolves names itself.
    static func systemNameServers(resolvConf: String = "/etc/resolv.conf") -> [String] {
        guard let text = try? String(contentsOfFile: resolvConf, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            return fields.count >= 2 && fields[0] == "nameserver" ? String(fields[1]) : nil
        }
    }

    /// The host of an `https://` URL or a `sip:`/`sips:` URI (read by SIPCore's parser).
    public static func host(ofURL text: String) -> String? {
        if text.hasPrefix("sip:") || text.hasPrefix("sips:") {
            return (try? SIPURI.parse(text))?.host.bareHost
        }
        return URLComponents(string: text)?.host
    }
}
