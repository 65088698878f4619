public import Vault

/// Who is making a request: a signed-in user or an API key, in one
/// organisation, with one role.
public struct AdminPrincipal: Sendable, Hashable {
    public enum Credential: Sendable, Hashable {
        case session(id: String)
        case apiKey(id: String)
    }

    public let tenantID: String
    public let userID: String?
    public let role: User.Role
    public let credential: Credential

    /// How the audit log names them: ids only.
    public var actor: String {
        switch credential {
        case .session: "user:\(userID ?? "")"
        case .apiKey(let id): "api-key:\(id)"
        }
    }

    /// Throws 403 unless the role grants `permission`.
    public func require(_ permission: AdminPermission) throws(Problem) {
        guard role.permits(permission) else { throw Problem.forbidden(permission, role: role) }
    }
}
