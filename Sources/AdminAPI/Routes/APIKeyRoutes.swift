import Foundation
import Hummingbird
import Vault

/// API keys for scripts: made with a role no higher than their maker's, the
/// token shown once, revoked at once.
struct APIKeyRoutes {
    let backend: AdminBackend

    struct NewKey: Decodable {
        let label: String?
        let role: String
    }

    struct KeyView: ResponseEncodable {
        let id: String
        let label: String?
        let role: String
        let userId: String?
        let createdAt: Date
        let lastUsedAt: Date?
        let revokedAt: Date?
        /// Only in the answer to its creation.
        let token: String?
    }

    func add(to router: RouterGroup<AdminRequestContext>) {
        router.get("api-keys") { request, context -> Page<KeyView> in
            let principal = try context.require(.manageAPIKeys)
            let page = try PageRequest(request)
            let keys = try await backend.run { try backend.tenant(principal).apiKeys() }
            return page.page(of: keys) {
                KeyView(
                    id: $0.id, label: $0.label, role: $0.role.name, userId: $0.userID, createdAt: $0.createdAt, lastUsedAt: $0.lastUsedAt,
                    revokedAt: $0.revokedAt, token: nil
                )
            }
        }
        router.post("api-keys") { request, context -> EditedResponse<KeyView> in
            let principal = try context.require(.manageAPIKeys)
            let body = try await JSONBody.decode(NewKey.self, from: request, context: context, limit: 4096)
            let role = try UserRoutes.grantable(body.role, by: principal)
            let key = try await backend.run { try backend.tenant(principal).createAPIKey(label: body.label, userID: principal.userID, role: role, actor: principal.actor) }
            return EditedResponse(
                status: .created,
                headers: [.cacheControl: "no-store"],
                response: KeyView(
                    id: key.id, label: body.label, role: role.name, userId: principal.userID, createdAt: backend.now(), lastUsedAt: nil, revokedAt: nil, token: key.token
                )
            )
        }
        router.delete("api-keys/:id") { _, context -> HTTPResponse.Status in
            let principal = try context.require(.manageAPIKeys)
            let id = try context.parameters.require("id")
            let revoked = try await backend.run {
                let tenant = try backend.tenant(principal)
                guard let key = try tenant.apiKeys().first(where: { $0.id == id && $0.revokedAt == nil }) else { return false }
                guard principal.role.mayGrant(key.role) else {
                    throw Problem(.forbidden, "forbidden", "Not allowed for this role", "only an owner may revoke an owner's key")
                }
                return try tenant.revokeAPIKey(id, actor: principal.actor)
            }
            guard revoked else { throw Problem.notFound("live API key \(id)") }
            return .noContent
        }
    }
}
