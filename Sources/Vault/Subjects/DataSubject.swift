import Foundation
import GRDB

/// The person a privacy request (export, erasure, rectification) is about:
/// a caller, known by their number, or a user, known by their e-mail address.
public enum DataSubject: Sendable, Hashable {
    case caller(PhoneNumber)
    case user(email: String)

    /// `+49…`/`0049…` is a caller, anything with an `@` a user.
    public init(parsing text: String) throws(VaultError) {
        if text.contains("@") {
            self = .user(email: text)
        } else {
            self = .caller(try PhoneNumber(text))
        }
    }

    var kind: String {
        switch self {
        case .caller: "caller"
        case .user: "user"
        }
    }

    func lookupIndex(_ sealer: ColumnSealer) -> Data {
        switch self {
        case .caller(let number): sealer.blindIndex(number)
        case .user(let email): sealer.blindIndex(email: email)
        }
    }
}

extension TenantVault {
    /// The user this e-mail address belongs to, if any.
    func userID(email: String, sealer: ColumnSealer, in db: Database) throws(VaultError) -> String? {
        try VaultError.guarding("finding a user") {
            try String.fetchOne(
                db, sql: "SELECT id FROM users WHERE tenant_id = ? AND email_index = ?", arguments: [tenantID, sealer.blindIndex(email: email)]
            )
        }
    }
}
