import Foundation
import Hummingbird
import NIOCore
import Synchronization
import Vault

/// Signing in and out, and who the caller is.
struct SessionRoutes {
    let backend: AdminBackend

    struct SignIn: Decodable {
        let email: String
        let password: String
    }

    struct SessionView: ResponseEncodable {
        let token: String
        let expiresAt: Date
        let idleTimeoutSeconds: Int
        let user: UserView
    }

    struct MeView: ResponseEncodable {
        let organisationId: String
        let userId: String?
        let apiKeyId: String?
        let role: String
        let permissions: [String]
    }

    func add(to router: RouterGroup<AdminRequestContext>) {
        router.post("session") { request, context -> EditedResponse<SessionView> in
            EditedResponse(status: .created, headers: [.cacheControl: "no-store"], response: try await signIn(request, context: context))
        }
        router.delete("session") { _, context -> HTTPResponse.Status in
            guard let principal = context.principal else { throw Problem.signInRequired }
            guard case .session(let id) = principal.credential else {
                throw Problem.invalid("an API key has no session to end; revoke the key instead (DELETE /api/v1/api-keys/{id})")
            }
            let vault = backend.vault
            try await backend.run {
                let tenant = try vault.tenant(principal.tenantID)
                if try tenant.revokeSession(id) {
                    try tenant.audit(AuditEvent(action: "user.signed_out", actor: principal.actor, details: ["session_id": id]))
                }
            }
            return .noContent
        }
        router.get("me") { _, context -> MeView in
            guard let principal = context.principal else { throw Problem.signInRequired }
            var apiKey: String?
            if case .apiKey(let id) = principal.credential { apiKey = id }
            return MeView(
                organisationId: principal.tenantID, userId: principal.userID, apiKeyId: apiKey, role: principal.role.name,
                permissions: principal.role.permissions.map(\.rawValue).sorted()
            )
        }
    }

    /// Every checked attempt is audited. Repeated failures wait (429 with
    /// Retry-After) before the password is even checked, and at most
    /// ``AdminBackend/maximumConcurrentSignIns`` Argon2id checks run at once.
    func signIn(_ request: Request, context: AdminRequestContext) async throws -> SessionView {
        let body = try await JSONBody.decode(SignIn.self, from: request, context: context, limit: 4096)
        let account = body.email.lowercased().trimmingCharacters(in: .whitespaces), source = context.sourceKey
        let now = backend.now()
        // A busy box counts nothing against anyone: the slot is taken before the attempt is.
        guard backend.startSignIn() else {
            throw Problem(.tooManyRequests, "busy", "Busy", "other sign-ins are being checked; try again in a second", retryAfter: 1)
        }
        defer { backend.endSignIn() }
        if let until = backend.throttle.withLock({ $0.begin(account: account, source: source, at: now) }) {
            throw Self.wait(until: until, now: now)
        }
        let vault = backend.vault
        let outcome = try await backend.run { try vault.signIn(email: body.email, password: body.password) }
        let locked = backend.throttle.withLock { $0.lockedUntil(account: account, source: source, at: now) }
        switch outcome {
        case .signedIn(let tenantID, let user):
            backend.throttle.withLock { $0.succeeded(account: account, source: source, at: now) }
            let session = try await backend.run {
                let tenant = try vault.tenant(tenantID)
                let session = try tenant.createSession(userID: user.id)
                try tenant.audit(AuditEvent(action: "user.signed_in", actor: "user:\(user.id)", details: ["session_id": session.id]))
                return session
            }
            return SessionView(token: session.token, expiresAt: session.expiresAt, idleTimeoutSeconds: 30 * 60, user: UserView(user, createdAt: nil, disabledAt: nil))
        case .refused(let tenantID, let userID):
            try await backend.run {
                try vault.tenant(tenantID).audit(AuditEvent(
                    action: "user.sign_in_failed", actor: "user:\(userID)", details: ["locked": locked == nil ? "no" : "yes"]
                ))
            }
            throw locked.map { Self.wait(until: $0, now: now) } ?? Self.refused
        case .unknownAccount:
            // Device-level: no organisation has the address, and the address itself is not recorded.
            try await backend.run { try vault.audit(AuditEvent(action: "user.sign_in_failed", actor: "unknown", details: ["account": "unknown"])) }
            throw locked.map { Self.wait(until: $0, now: now) } ?? Self.refused
        }
    }

    static let refused = Problem(
        .unauthorized, "sign-in-refused", "Sign-in refused",
        "the e-mail address or password is wrong, or the user is disabled; an owner can reset it with `hushbox user reset-password`"
    )

    static func wait(until: Date, now: Date) -> Problem {
        let seconds = max(1, Int(until.timeIntervalSince(now).rounded(.up)))
        return Problem(
            .tooManyRequests, "sign-in-locked", "Too many failed sign-ins",
            "sign-in for this address or from this network is paused for \(seconds) s after repeated failures; try again then", retryAfter: seconds
        )
    }
}
