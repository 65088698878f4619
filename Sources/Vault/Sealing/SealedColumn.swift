/// A column that holds sealed values. The table and column are part of each
/// value's associated data, so a ciphertext copied to another column fails to open.
///
/// `all` lists every sealed column of the schema; a test compares it with the
/// columns whose names end in `_sealed`, so a new one cannot be forgotten by
/// data-key rotation or by a subject export.
public struct SealedColumn: Hashable, Sendable, CustomStringConvertible {
    public let table: String
    public let column: String

    init(_ table: String, _ column: String) {
        self.table = table
        self.column = column
    }

    public var description: String { "\(table).\(column)" }

    /// The column holding the row's tenant: `id` for `tenants`, else `tenant_id`.
    var tenantColumn: String { table == "tenants" ? "id" : "tenant_id" }

    public static let tenantName = SealedColumn("tenants", "name_sealed")
    public static let userEmail = SealedColumn("users", "email_sealed")
    public static let userDisplayName = SealedColumn("users", "display_name_sealed")
    public static let apiKeyLabel = SealedColumn("api_keys", "label_sealed")
    public static let mailboxNumber = SealedColumn("mailboxes", "number_sealed")
    public static let mailboxSIPUser = SealedColumn("mailboxes", "sip_user_sealed")
    public static let mailboxDisplayName = SealedColumn("mailboxes", "display_name_sealed")
    public static let callCounterparty = SealedColumn("calls", "counterparty_sealed")
    public static let incidentSummary = SealedColumn("incidents", "summary_sealed")
    /// Sealed under a subject key or an audit key, never re-sealed: audit rows
    /// are immutable.
    public static let auditDetails = SealedColumn("audit_log", "details_sealed")

    /// Columns sealed under the tenant's data key, re-sealed when it rotates.
    public static let underTenantDataKey: [SealedColumn] = [
        tenantName, userEmail, userDisplayName, apiKeyLabel, mailboxNumber, mailboxSIPUser, mailboxDisplayName,
        callCounterparty, incidentSummary,
    ]

    public static let all: [SealedColumn] = underTenantDataKey + [auditDetails]
}
