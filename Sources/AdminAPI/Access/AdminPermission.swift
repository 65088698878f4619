public import Vault

/// What a request may need to do. Routes name one; roles grant a set.
public enum AdminPermission: String, Sendable, CaseIterable {
    /// Messages, callers' numbers, audio, subject data: personal data.
    case readPersonalData
    /// Delete messages, mark them heard, answer privacy requests.
    case changePersonalData
    /// Mailboxes, greetings, retention, uplink queue: the box's configuration.
    case readConfiguration
    case changeConfiguration
    /// The audit log and its chain.
    case readAudit
    /// Users and their roles.
    case manageUsers
    /// API keys for scripts.
    case manageAPIKeys
    /// Incidents and sub-processors.
    case manageCompliance
}

extension User.Role {
    /// The role matrix (docs/admin.md): an owner does everything; an admin all
    /// but change owners; a technician configures the box and sees no personal
    /// data; read-only sees what an admin sees and changes nothing.
    public var permissions: Set<AdminPermission> {
        switch self {
        case .owner, .admin: Set(AdminPermission.allCases)
        case .technician: [.readConfiguration, .changeConfiguration]
        case .viewer: [.readPersonalData, .readConfiguration, .readAudit]
        }
    }

    public func permits(_ permission: AdminPermission) -> Bool {
        permissions.contains(permission)
    }

    /// Whether someone with this role may hand out `other` (a user's role, or an API key's).
    public func mayGrant(_ other: User.Role) -> Bool {
        switch self {
        case .owner: true
        case .admin: other != .owner
        case .technician, .viewer: false
        }
    }
}
