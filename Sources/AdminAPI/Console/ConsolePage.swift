import Vault

/// The console's pages: where each lives, what it is called in the menu, and
/// the permission without which the menu leaves it out (the API behind it
/// refuses the same role anyway).
enum ConsolePage: String, CaseIterable, Sendable {
    case messages
    case mailboxes
    case retention
    case privacy
    case incidents
    case subProcessors = "sub-processors"
    case uplink
    case apiKeys = "api-keys"
    case users
    case audit

    var path: String { "/console/\(rawValue)" }

    var label: String {
        switch self {
        case .messages: "Messages"
        case .mailboxes: "Mailboxes"
        case .retention: "Retention"
        case .privacy: "Privacy requests"
        case .incidents: "Incidents"
        case .subProcessors: "Sub-processors"
        case .uplink: "Uplink"
        case .apiKeys: "API keys"
        case .users: "Users"
        case .audit: "Audit log"
        }
    }

    var permission: AdminPermission {
        switch self {
        case .messages: .readPersonalData
        case .mailboxes, .retention, .uplink: .readConfiguration
        case .privacy: .changePersonalData
        case .incidents, .subProcessors: .manageCompliance
        case .apiKeys: .manageAPIKeys
        case .users: .manageUsers
        case .audit: .readAudit
        }
    }

    /// Where a role lands after signing in: the first page it may see.
    static func landing(for role: User.Role) -> ConsolePage {
        allCases.first { role.permits($0.permission) } ?? .mailboxes
    }

    /// The menu for `role`, with `current` marked.
    static func menu(for role: User.Role, current: ConsolePage?) -> [[String: Any]] {
        allCases.filter { role.permits($0.permission) }.map { ["href": $0.path, "label": $0.label, "current": $0 == current] }
    }
}
