import Foundation
import Hummingbird
import Vault

/// What waits for the customer's receivers, and putting back an entry a receiver refused for good.
struct UplinkRoutes {
    let backend: AdminBackend

    struct EntryView: ResponseEncodable {
        let id: String
        /// voicemail or erasure.
        let kind: String
        let referenceId: String
        let destination: String
        let state: String
        let attempts: Int
        let nextAttemptAt: Date
        let createdAt: Date
        /// The last attempt's outcome and HTTP status, if there was one.
        let lastOutcome: String?
        let lastStatus: Int?
    }

    func add(to router: RouterGroup<AdminRequestContext>) {
        router.get("uplink/queue") { request, context -> Page<EntryView> in
            let principal = try context.require(.readConfiguration)
            let page = try PageRequest(request)
            let all = request.uri.queryParameters["all"] == "true"
            return try await backend.run {
                let tenant = try backend.tenant(principal)
                return try page.page(of: try tenant.outboxEntries(includingClosed: all)) { entry in
                    let last = try tenant.deliveryLog(entry.id).last
                    return EntryView(
                        id: entry.id, kind: entry.kind, referenceId: entry.referenceID, destination: entry.destination, state: entry.state.rawValue,
                        attempts: entry.attempts, nextAttemptAt: entry.nextAttemptAt, createdAt: entry.createdAt, lastOutcome: last?.outcome.rawValue,
                        lastStatus: last?.statusCode
                    )
                }
            }
        }
        router.post("uplink/queue/:id/retry") { _, context -> HTTPResponse.Status in
            let principal = try context.require(.changeConfiguration)
            let id = try context.parameters.require("id")
            try await backend.run {
                try backend.tenant(principal).requeue(id, actor: principal.actor)
            }
            return .noContent
        }
    }
}
