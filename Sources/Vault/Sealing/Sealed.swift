public import Foundation
public import GRDB

/// A value that can be sealed: it knows its bytes and how to come back from them.
public protocol SealableValue: Sendable {
    var sealableBytes: Data { get }
    init(unsealedBytes: Data) throws(VaultError)
}

extension String: SealableValue {
    public var sealableBytes: Data { Data(utf8) }

    public init(unsealedBytes: Data) throws(VaultError) {
        guard let text = String(data: unsealedBytes, encoding: .utf8) else {
            throw VaultError(.tampered, "a sealed text value is not UTF-8")
        }
        self = text
    }
}

extension Data: SealableValue {
    public var sealableBytes: Data { self }
    public init(unsealedBytes: Data) { self = unsealedBytes }
}

/// The sealed form of a `Value` as stored in a `_sealed` column:
/// `0x01 ‖ key version (4 bytes, big-endian) ‖ nonce (12) ‖ ciphertext ‖ tag (16)`,
/// AES-256-GCM under the tenant's data key of that version.
public struct Sealed<Value: SealableValue>: Sendable, Hashable {
    public let bytes: Data

    static var formatVersion: UInt8 { 0x01 }
    static var headerLength: Int { 5 }

    init(bytes: Data) {
        self.bytes = bytes
    }

    /// The data-key version the value is sealed under, if the header is intact.
    var keyVersion: Int? {
        guard bytes.count > Self.headerLength, bytes.first == Self.formatVersion else { return nil }
        return bytes.dropFirst().prefix(4).reduce(0) { $0 << 8 | Int($1) }
    }
}

extension Sealed: DatabaseValueConvertible {
    public var databaseValue: DatabaseValue { bytes.databaseValue }

    public static func fromDatabaseValue(_ dbValue: DatabaseValue) -> Sealed? {
        Data.fromDatabaseValue(dbValue).map(Sealed.init(bytes:))
    }
}

extension Sealed: Codable {
    public init(from decoder: any Decoder) throws {
        bytes = try decoder.singleValueContainer().decode(Data.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(bytes)
    }
}
