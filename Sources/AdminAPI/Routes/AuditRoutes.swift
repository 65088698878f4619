import Foundation
import Hummingbird
import Vault

/// The organisation's audit log, newest first, and whether the chain holds.
struct AuditRoutes {
    let backend: AdminBackend

    struct EntryView: ResponseEncodable {
        let sequence: Int64
        let at: Date
        let actor: String
        let action: String
        let subjectId: String?
        /// nil when the entry has none; `erased` when its subject was erased.
        let details: [String: String]?
        let erased: Bool
    }

    /// The chain is the box's, shared by its organisations: the answer says
    /// whether it holds and counts only the caller's own entries, so no
    /// organisation learns how busy another is.
    struct ChainView: ResponseEncodable {
        /// intact or broken.
        let status: String
        let entries: Int
        let brokenAt: Int64?
        let reason: String?
    }

    func add(to router: RouterGroup<AdminRequestContext>) {
        router.get("audit") { request, context -> Page<EntryView> in
            let principal = try context.require(.readAudit)
            let page = try PageRequest(request)
            let entries = try await backend.run { try backend.tenant(principal).auditEntries(newestFirstOffset: page.offset, limit: page.limit + 1) }
            return page.page(fetched: entries) { entry in
                var details: [String: String]?
                if case .readable(let values) = entry.details { details = values }
                return EntryView(
                    sequence: entry.sequence, at: entry.at, actor: entry.actor, action: entry.action, subjectId: entry.subjectID, details: details,
                    erased: entry.details == .erased
                )
            }
        }
        router.get("audit/chain") { _, context -> ChainView in
            let principal = try context.require(.readAudit)
            let (verification, own) = try await backend.run { (try backend.chainVerification(), try backend.tenant(principal).auditEntryCount()) }
            switch verification {
            case .intact:
                return ChainView(status: "intact", entries: own, brokenAt: nil, reason: nil)
            case .broken(let sequence, let reason):
                return ChainView(status: "broken", entries: own, brokenAt: sequence, reason: reason)
            }
        }
    }
}
