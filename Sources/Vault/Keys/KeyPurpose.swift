/// What a key in the key tree is for. The tree:
///
/// ```
/// device KEK ─┬─ tenantData (per tenant, versioned) ─┬─ subject (per person)
///             │                                      ├─ object  (per audio object)
///             │                                      └─ tenantAudit
///             ├─ tenantIndex (per tenant)
///             ├─ pepper (device)
///             └─ systemAudit (device)
/// ```
/// Keys under the KEK are re-wrapped by `rotate-kek`; keys under a tenant's data
/// key are re-wrapped when that key rotates. Destroying a subject or object key
/// shreds everything sealed under it.
public enum KeyPurpose: String, Sendable, Hashable, CaseIterable {
    /// Seals a tenant's row values.
    case tenantData = "tenant_data"
    /// Computes a tenant's blind indexes (HMAC of normalised phone numbers).
    case tenantIndex = "tenant_index"
    /// Seals details of a tenant's audit entries that name no person.
    case tenantAudit = "tenant_audit"
    /// Seals the audit details about one person; destroyed on erasure.
    case subject
    /// Seals one audio object.
    case object
    /// The Argon2id secret for passwords, PINs and API keys.
    case pepper
    /// Seals details of device-level audit entries.
    case systemAudit = "system_audit"

    /// Whether keys of this purpose hang directly under the device KEK.
    var isWrappedByDeviceKEK: Bool {
        switch self {
        case .tenantData, .tenantIndex, .pepper, .systemAudit: true
        case .tenantAudit, .subject, .object: false
        }
    }
}
