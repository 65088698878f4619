#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An IPv4 or IPv6 prefix such as `192.0.2.0/24`, `2001:db8::/32` or a single
/// address: the sources a peer's traffic may come from.
public struct AddressRange: Sendable, Hashable, CustomStringConvertible {
    private let network: [UInt8]
    private let prefixLength: Int
    public let description: String

    public struct InvalidRange: Error, CustomStringConvertible {
        public let text: String
        public var description: String {
            "'\(text)' is not an IP address or prefix (write 192.0.2.10, 192.0.2.0/24 or 2001:db8::/32)"
        }
    }

    public init(_ text: String) throws(InvalidRange) {
        let pieces = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let bytes = Self.addressBytes(String(pieces[0])) else { throw InvalidRange(text: text) }
        var length = bytes.count * 8
        if pieces.count == 2 {
            guard let given = Int(pieces[1]), (0...bytes.count * 8).contains(given) else { throw InvalidRange(text: text) }
            length = given
        }
        network = Self.masked(bytes, to: length)
        prefixLength = length
        description = text
    }

    /// Whether `address` (an IP literal) lies inside this range. An IPv4-mapped
    /// IPv6 address (::ffff:a.b.c.d, as a dual-stack socket reports IPv4 peers)
    /// is compared as IPv4.
    public func contains(_ address: String) -> Bool {
        guard let bytes = Self.addressBytes(address) else { return false }
        return contains(addressBytes: bytes)
    }

    /// As ``contains(_:)``, for an address already parsed by ``addressBytes(_:)``
    /// (one parse for a check against many ranges), without allocating.
    func contains(addressBytes bytes: [UInt8]) -> Bool {
        var start = 0
        if bytes.count == 16, network.count == 4, bytes.prefix(12).elementsEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF]) {
            start = 12
        }
        guard bytes.count - start == network.count else { return false }
        for index in 0..<network.count {
            let bits = max(0, min(8, prefixLength - index * 8))
            guard bits > 0 else { break }
            let mask: UInt8 = bits == 8 ? 0xFF : ~(UInt8(0xFF) >> bits)
            if bytes[start + index] & mask != network[index] { return false }
        }
        return true
    }

    /// The 4 or 16 bytes of an IPv4 or IPv6 literal, or nil.
    public static func addressBytes(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { Array($0) }
        }
        return nil
    }

    private static func masked(_ bytes: [UInt8], to length: Int) -> [UInt8] {
        bytes.enumerated().map { index, byte in
            let bitsHere = max(0, min(8, length - index * 8))
            return bitsHere == 8 ? byte : byte & ~(UInt8(0xFF) >> bitsHere)
        }
    }
}
