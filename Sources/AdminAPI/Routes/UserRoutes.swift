import Foundation
import Hummingbird
import Vault

/// A user as the API shows them.
struct UserView: ResponseEncodable {
    let id: String
    let email: String
    let displayName: String?
    let role: String
    let createdAt: Date?
    let disabledAt: Date?

    init(_ user: User, createdAt: Date?, disabledAt: Date?) {
        id = user.id
        email = user.email
        displayName = user.displayName
        role = user.role.name
        self.createdAt = createdAt
        self.disabledAt = disabledAt
    }

    init(_ summary: UserSummary) {
        self.init(summary.user, createdAt: summary.createdAt, disabledAt: summary.disabledAt)
    }
}

/// Users and roles: owners and admins (an admin never makes or changes an owner).
struct UserRoutes {
    let backend: AdminBackend

    struct NewUser: Decodable {
        let email: String
        let displayName: String?
        let role: String
        let password: String
    }

    struct Change: Decodable {
        let role: String?
        let password: String?
        let disabled: Bool?
    }

    func add(to router: RouterGroup<AdminRequestContext>) {
        router.get("users") { request, context -> Page<UserView> in
            let principal = try context.require(.manageUsers)
            let page = try PageRequest(request)
            let users = try await backend.run { try backend.tenant(principal).users() }
            return page.page(of: users, UserView.init)
        }
        router.post("users") { request, context -> EditedResponse<UserView> in
            let principal = try context.require(.manageUsers)
            let body = try await JSONBody.decode(NewUser.self, from: request, context: context, limit: 4096)
            let role = try Self.grantable(body.role, by: principal)
            let user = try await backend.run {
                try backend.tenant(principal).createUser(
                    email: body.email, displayName: body.displayName, role: role, password: body.password, actor: principal.actor
                )
            }
            return EditedResponse(status: .created, response: UserView(user, createdAt: backend.now(), disabledAt: nil))
        }
        router.patch("users/:id") { request, context -> UserView in
            let principal = try context.require(.manageUsers)
            let id = try context.parameters.require("id")
            let body = try await JSONBody.decode(Change.self, from: request, context: context, limit: 4096)
            let role = try body.role.map { name throws(Problem) in try Self.grantable(name, by: principal) }
            return try await backend.run {
                let tenant = try backend.tenant(principal)
                guard let target = try tenant.user(id) else { throw Problem.notFound("user \(id)") }
                // An admin may not change an owner in any way.
                guard principal.role.mayGrant(target.user.role) else {
                    throw Problem(.forbidden, "forbidden", "Not allowed for this role", "only an owner may change an owner")
                }
                // All or nothing: what could be refused is checked before anything changes.
                let demotes = (role.map { $0 != .owner } ?? false) || body.disabled == true
                if demotes, try tenant.isOnlyActiveOwner(id) { throw Problem.onlyOwner(id) }
                if let password = body.password, password.count < 12 || password.count > 1024 {
                    throw Problem.invalid("a password needs at least 12 characters and at most 1024")
                }
                if let role { try tenant.setRole(userID: id, to: role, actor: principal.actor) }
                if let password = body.password { try tenant.resetPassword(userID: id, to: password, actor: principal.actor) }
                if body.disabled == true { try tenant.disableUser(id, actor: principal.actor) }
                guard let changed = try tenant.user(id) else { throw Problem.notFound("user \(id)") }
                return UserView(changed)
            }
        }
    }

    /// A role the caller may hand out, by the name customers use.
    static func grantable(_ name: String, by principal: AdminPrincipal) throws(Problem) -> User.Role {
        guard let role = User.Role(name: name) else {
            throw Problem.invalid("role must be one of owner, admin, technician, read-only")
        }
        guard principal.role.mayGrant(role) else {
            throw Problem(.forbidden, "forbidden", "Not allowed for this role", "the \(principal.role.name) role may not grant \(role.name)")
        }
        return role
    }
}
