import Crypto
import Foundation

/// Seals and opens one tenant's column values. Each value's associated data is
/// the tenant, table, column and row id: a ciphertext moved to another row,
/// column or tenant fails to open, and the failure names where.
struct ColumnSealer: Sendable {
    let keys: TenantKeys

    var tenantID: String { keys.tenantID }

    func seal<Value: SealableValue>(_ value: Value, _ column: SealedColumn, rowID: String) throws(VaultError) -> Sealed<Value> {
        let version = keys.activeDataVersion
        guard let key = keys.dataKeys[version] else {
            throw VaultError(.keyMissing, "tenant \(tenantID) has no data key of version \(version)")
        }
        let sealed: AES.GCM.SealedBox
        do {
            sealed = try AES.GCM.seal(value.sealableBytes, using: key, authenticating: associatedData(column, rowID: rowID, version: version))
        } catch {
            throw VaultError(.invalidInput, "sealing \(column) failed: \(error)")
        }
        var bytes = Data([Sealed<Value>.formatVersion])
        withUnsafeBytes(of: UInt32(version).bigEndian) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: sealed.nonce)
        bytes.append(sealed.ciphertext)
        bytes.append(sealed.tag)
        return Sealed(bytes: bytes)
    }

    func open<Value: SealableValue>(_ sealed: Sealed<Value>, _ column: SealedColumn, rowID: String) throws(VaultError) -> Value {
        guard let version = sealed.keyVersion, sealed.bytes.count >= Sealed<Value>.headerLength + 12 + 16 else {
            throw VaultError(.tampered, "\(column) of row \(rowID) is not a sealed value (its header is damaged)")
        }
        guard let key = keys.dataKeys[version] else {
            throw VaultError(.keyMissing, "\(column) of row \(rowID) is sealed under data key version \(version), which tenant \(tenantID) does not have")
        }
        let body = sealed.bytes.dropFirst(Sealed<Value>.headerLength)
        do {
            let box = try AES.GCM.SealedBox(
                nonce: AES.GCM.Nonce(data: body.prefix(12)),
                ciphertext: body.dropFirst(12).dropLast(16),
                tag: body.suffix(16)
            )
            let plaintext = try AES.GCM.open(box, using: key, authenticating: associatedData(column, rowID: rowID, version: version))
            return try Value(unsealedBytes: plaintext)
        } catch let error as VaultError {
            throw error
        } catch {
            throw VaultError(.tampered, "\(column) of row \(rowID) failed authentication: the value was altered, or copied from another row, column or tenant")
        }
    }

    /// The keyed blind index of a phone number: equal numbers give equal indexes
    /// within a tenant, and nothing about the number without the tenant's key.
    func blindIndex(_ number: PhoneNumber) -> Data {
        blindIndex(label: "phone", number.e164)
    }

    /// The keyed blind index of an e-mail address, compared case-insensitively.
    func blindIndex(email: String) -> Data {
        blindIndex(label: "email", email.trimmingCharacters(in: .whitespaces).lowercased())
    }

    func blindIndex(label: String, _ normalised: String) -> Data {
        var encoding = CanonicalEncoding(domain: "hushbox/blind-index/v1")
        encoding.append(label)
        encoding.append(normalised)
        return Data(HMAC<SHA256>.authenticationCode(for: encoding.data, using: keys.indexKey))
    }

    private func associatedData(_ column: SealedColumn, rowID: String, version: Int) -> Data {
        var encoding = CanonicalEncoding(domain: "hushbox/sealed-column/v1")
        encoding.append(tenantID)
        encoding.append(column.table)
        encoding.append(column.column)
        encoding.append(rowID)
        encoding.append(Int64(version))
        return encoding.data
    }
}
