import Crypto

/// One tenant's unwrapped row keys: every data-key version it still has (older
/// ones until a rotation finishes re-sealing) and its blind-index key.
struct TenantKeys: Sendable {
    let tenantID: String
    let dataKeys: [Int: SymmetricKey]
    let activeDataVersion: Int
    let indexKey: SymmetricKey
}
