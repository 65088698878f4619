import Foundation
import GRDB

extension TenantVault {
    /// Restricts a user (GDPR article 18): their sessions end and they can
    /// no longer sign in or use their API keys, while everything of theirs is
    /// kept. Audited. Returns how many sessions ended.
    @discardableResult
    public func restrict(user email: String, actor: String) throws(VaultError) -> Int {
        try write("restricting a user") { db, sealer throws(VaultError) in
            guard let userID = try userID(email: email, sealer: sealer, in: db) else {
                throw VaultError(.notFound, "no user of this organisation has that e-mail address; nothing was changed")
            }
            try VaultError.guarding("restricting user \(userID)") {
                try db.execute(sql: "UPDATE users SET disabled_at = coalesce(disabled_at, ?) WHERE tenant_id = ? AND id = ?", arguments: [timestamp(), tenantID, userID])
            }
            _ = try audit(AuditEvent(action: "user.restricted", actor: actor, details: ["user_id": userID]), in: db)
            return try revokeSessions(userID: userID, actor: actor, in: db)
        }
    }

    /// Lifts a restriction: the user may sign in again (with a new session;
    /// ended ones stay ended). Refused while the user's erasure is under way.
    public func liftRestriction(user email: String, actor: String) throws(VaultError) {
        try write("lifting a restriction") { db, sealer throws(VaultError) in
            guard let userID = try userID(email: email, sealer: sealer, in: db) else {
                throw VaultError(.notFound, "no user of this organisation has that e-mail address; nothing was changed")
            }
            guard try openErasures(of: .user(email: email), sealer: sealer, in: db).isEmpty else {
                throw VaultError(.invalidInput, "this user's erasure is under way; they stay disabled until it completes")
            }
            try VaultError.guarding("lifting the restriction of user \(userID)") {
                try db.execute(sql: "UPDATE users SET disabled_at = NULL WHERE tenant_id = ? AND id = ?", arguments: [tenantID, userID])
            }
            _ = try audit(AuditEvent(action: "user.restriction_lifted", actor: actor, details: ["user_id": userID]), in: db)
        }
    }
}
