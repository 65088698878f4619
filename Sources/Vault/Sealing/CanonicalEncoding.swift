import Foundation

/// An unambiguous byte encoding of a list of fields: each field is a tag byte and,
/// for a value, a 4-byte big-endian length and its bytes. Used wherever bytes
/// must bind several values together without one field bleeding into the next:
/// AEAD associated data, and the rows the audit chain hashes.
struct CanonicalEncoding {
    private(set) var bytes: [UInt8] = []

    init(domain: String) {
        append(domain)
    }

    mutating func append(_ text: String?) {
        append(text.map { Array($0.utf8) })
    }

    mutating func append(_ integer: Int64) {
        bytes.append(0x02)
        withUnsafeBytes(of: integer.bigEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func append(_ data: Data?) {
        append(data.map { Array($0) })
    }

    mutating func append(_ field: [UInt8]?) {
        guard let field else {
            bytes.append(0x00)
            return
        }
        bytes.append(0x01)
        withUnsafeBytes(of: UInt32(field.count).bigEndian) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: field)
    }

    var data: Data { Data(bytes) }
}
