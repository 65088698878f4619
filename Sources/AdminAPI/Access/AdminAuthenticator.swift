import Foundation
public import Hummingbird
import Vault

/// Finds who is calling from `Authorization: Bearer <token>`: a session token
/// (`hbs_…`) or an API key (`hbx_…`). A request without a credential goes on
/// anonymous, and each route that needs one refuses it (401); a credential
/// that is wrong, revoked or expired is refused here, before any route runs.
public struct AdminAuthenticator: RouterMiddleware {
    public typealias Context = AdminRequestContext
    let backend: AdminBackend

    public init(backend: AdminBackend) {
        self.backend = backend
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let token = Self.bearerToken(request.headers[.authorization]) else {
            if request.headers[.authorization] != nil { throw Problem.signInRequired }
            return try await next(request, context)
        }
        let principal = try await Self.principal(for: token, backend: backend)
        guard let principal else { throw Problem.signInRequired }
        var context = context
        context.principal = principal
        return try await next(request, context)
    }

    /// Who `token` (a session token or an API key) belongs to, if it is current.
    static func principal(for token: String, backend: AdminBackend) async throws -> AdminPrincipal? {
        guard token.count <= 100, token.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }) else { return nil }
        let vault = backend.vault
        return try await backend.run {
            if token.hasPrefix("hbx_") {
                return try vault.authenticate(apiKey: token).map {
                    AdminPrincipal(tenantID: $0.tenantID, userID: $0.userID, role: $0.role, credential: .apiKey(id: $0.keyID))
                }
            }
            guard token.hasPrefix("hbs_") else { return nil }
            return try vault.authenticate(sessionToken: token).map {
                AdminPrincipal(tenantID: $0.tenantID, userID: $0.userID, role: $0.role, credential: .session(id: $0.sessionID))
            }
        }
    }

    /// The token of a `Bearer` header, if it has the shape of one of ours (at most 100 characters).
    static func bearerToken(_ header: String?) -> String? {
        guard let header, header.count <= 120, header.lowercased().hasPrefix("bearer ") else { return nil }
        let token = header.dropFirst(7).trimmingCharacters(in: .whitespaces)
        guard token.count <= 100, token.hasPrefix("hbx_") || token.hasPrefix("hbs_"),
            token.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") })
        else { return nil }
        return token
    }
}
