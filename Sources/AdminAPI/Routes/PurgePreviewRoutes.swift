import Foundation
import Hummingbird
import Privacy
import Vault

/// What the next daily purge would remove from the caller's organisation, as
/// `hushbox purge --dry-run` shows it: counts only, nothing changed.
struct PurgePreviewRoutes {
    let backend: AdminBackend

    struct PreviewView: ResponseEncodable {
        /// The moment the counts are for.
        let at: Date
        let items: [Item]
    }

    struct Item: ResponseEncodable {
        /// What would go: due_erasures, soft_deleted_messages, voicemail_audio, call_records, ended_sessions or delivery_attempts.
        let kind: String
        let count: Int
        /// The retention kind whose period decides it (`GET /api/v1/retention`), and that period.
        let retentionKind: String
        let days: Int
    }

    func add(to router: RouterGroup<AdminRequestContext>) {
        router.get("retention/purge-preview") { _, context -> PreviewView in
            let principal = try context.require(.readConfiguration)
            let now = backend.now()
            return try await backend.run {
                let tenant = try backend.tenant(principal)
                let policy = RetentionPolicy(try tenant.retentionSettings())
                var items: [Item] = []
                for kind in ExpiredData.allCases {
                    let count = try tenant.countExpired(kind, cutoff: policy.cutoff(kind.category, at: now))
                    items.append(Item(kind: kind.rawValue, count: count, retentionKind: kind.category.rawValue, days: policy[kind.category]))
                }
                return PreviewView(at: now, items: items)
            }
        }
    }
}
