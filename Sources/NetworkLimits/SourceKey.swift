#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What the per-address limits count by. An IPv4 address is one source; an
/// IPv6 address counts as its /64, because one host is normally given a whole
/// /64 and can pick a new address from it for every connection. An
/// IPv4-mapped address, or one through NAT64's well-known prefix
/// (64:ff9b::/96, RFC 6052), counts as the IPv4 address it carries: behind
/// NAT64 every IPv4 client would otherwise share one /64.
public enum SourceKey {
    public static func of(_ address: String) -> String {
        guard address.contains(":") else { return address }
        var raw = in6_addr()
        let zoneless = address.split(separator: "%", maxSplits: 1).first.map(String.init) ?? address
        guard inet_pton(AF_INET6, zoneless, &raw) == 1 else { return address }
        let bytes = withUnsafeBytes(of: raw) { Array($0) }
        let mapped = bytes[0..<10].allSatisfy { $0 == 0 } && bytes[10] == 0xff && bytes[11] == 0xff
        let nat64 = bytes[0..<12].elementsEqual([0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0])
        if mapped || nat64 {
            return bytes[12...].map(String.init).joined(separator: ".")
        }
        let groups = stride(from: 0, to: 8, by: 2).map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }
        return groups.joined(separator: ":") + "::/64"
    }
}
