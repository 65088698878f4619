import Foundation
import Hummingbird
import Vault

/// What each page shows, read from the API as the signed-in user and shaped
/// for its template. Nothing from the request reaches an API path unchecked:
/// ids are matched against what the API listed, cursors are percent-encoded.
struct ConsoleViews {
    let api: InProcessAPI
    let principal: AdminPrincipal
    let request: Request
    let context: AdminRequestContext

    func view(of page: ConsolePage) async throws -> [String: Any] {
        switch page {
        case .messages: try await messages()
        case .mailboxes: try await mailboxes()
        case .retention: try await retention()
        case .privacy: [:]
        case .incidents: try await incidents()
        case .subProcessors: ["processors": try await items("sub-processors?limit=200")]
        case .uplink: ["all": showAll, "entries": try await items("uplink/queue?limit=200" + (showAll ? "&all=true" : "")).map { entry in
            var entry = entry
            entry["retryable"] = entry["state"] as? String == "abandoned"
            return entry
        }]
        case .apiKeys: ["keys": try await items("api-keys?limit=200"), "grantable": grantable]
        case .users: try await users()
        case .audit: try await audit()
        }
    }

    private func get(_ path: String) async throws -> Any {
        try await api.json(.get, path, as: principal, context: context)
    }

    private func list(_ path: String) async throws -> (items: [[String: Any]], next: String?) {
        let page = try await get(path) as? [String: Any] ?? [:]
        return (page["items"] as? [[String: Any]] ?? [], page["next_cursor"] as? String)
    }

    private func items(_ path: String) async throws -> [[String: Any]] {
        try await list(path).items
    }

    private var cursorQuery: String {
        guard let cursor = request.uri.queryParameters["cursor"].map(String.init), !cursor.isEmpty else { return "" }
        return "&cursor=" + Self.encoded(cursor)
    }

    /// `?all=true`: closed incidents, delivered uplink entries too.
    private var showAll: Bool { request.uri.queryParameters["all"] == "true" }

    private var grantable: [String] {
        [User.Role.owner, .admin, .technician, .viewer].filter { principal.role.mayGrant($0) }.map(\.name)
    }

    private func messages() async throws -> [String: Any] {
        var mailboxes = try await items("mailboxes?limit=200")
        let wanted = request.uri.queryParameters["mailbox"].map(String.init)
        guard let chosen = mailboxes.first(where: { $0["id"] as? String == wanted }) ?? mailboxes.first, let id = chosen["id"] as? String else {
            return ["mailboxes": [] as [Any]]
        }
        for index in mailboxes.indices {
            mailboxes[index]["label"] = Self.label(of: mailboxes[index])
            mailboxes[index]["selected"] = mailboxes[index]["id"] as? String == id
        }
        let (messages, next) = try await list("mailboxes/\(Self.encoded(id))/messages?limit=50" + cursorQuery)
        let mayDelete = principal.role.permits(.changePersonalData)
        var view: [String: Any] = [
            "mailboxes": mailboxes, "choose": mailboxes.count > 1,
            "mailbox": ["label": Self.label(of: chosen), "count": messages.count, "empty": messages.isEmpty, "more": next != nil],
            "messages": messages.map { message in
                var message = message
                message["length"] = Self.minutesAndSeconds(message["duration_seconds"])
                message["may_delete"] = mayDelete
                return message
            },
        ]
        // Left out when there is none: Mustache would print an empty Optional as "nil".
        view["next"] = next.map { "/console/messages?mailbox=\(Self.encoded(id))&cursor=\(Self.encoded($0))" }
        return view
    }

    private func retention() async throws -> [String: Any] {
        let preview = try await get("retention/purge-preview") as? [String: Any] ?? [:]
        return [
            "kinds": try await get("retention"),
            "preview": (preview["items"] as? [[String: Any]] ?? []).map { item in
                var item = item
                item["label"] = Self.purgeLabels[item["kind"] as? String ?? ""] ?? item["kind"]
                return item
            },
        ]
    }

    /// What each kind of item the purge removes is, as a customer reads it.
    static let purgeLabels = [
        "due_erasures": "Erasures whose 30 days are over (deleted for good)",
        "soft_deleted_messages": "Messages you deleted (their audio destroyed)",
        "voicemail_audio": "Messages past their period (their audio destroyed)",
        "call_records": "Call records past their period",
        "ended_sessions": "Ended sign-in sessions",
        "delivery_attempts": "Uplink delivery attempts",
    ]

    private func mailboxes() async throws -> [String: Any] {
        let personal = principal.role.permits(.readPersonalData)
        return ["mailboxes": try await items("mailboxes?limit=200").map { mailbox in
            var mailbox = mailbox
            mailbox["label"] = Self.label(of: mailbox)
            mailbox["personal"] = personal
            mailbox["greetings"] = GreetingPurpose.allCases.map { ["purpose": $0.rawValue, "mailbox_id": mailbox["id"] as? String ?? ""] }
            return mailbox
        }]
    }

    private func incidents() async throws -> [String: Any] {
        ["all": showAll, "incidents": try await items("incidents?limit=200" + (showAll ? "&all=true" : "")).map { incident in
            var incident = incident
            let severity = incident["severity"] as? String
            incident["severities"] = ["low", "medium", "high", "critical"].map { (name: String) -> [String: Any] in ["name": name, "selected": name == severity] }
            let notified = !(incident["notified_at"] is NSNull), closed = !(incident["closed_at"] is NSNull)
            incident["open"] = !notified && !closed
            incident["notified_open"] = notified && !closed
            if let left = incident["seconds_left"] as? Int {
                incident["clock"] = left > 0 ? "\(left / 3600) h \(left % 3600 / 60) min left to notify" : "overdue by \(-left / 3600) h \(-left % 3600 / 60) min"
                incident["clock_class"] = left > 0 ? "due" : "overdue"
            }
            return incident
        }]
    }

    private func users() async throws -> [String: Any] {
        let roles = [User.Role.owner, .admin, .technician, .viewer].map(\.name)
        return [
            "grantable": grantable,
            "users": try await items("users?limit=200").map { user in
                var user = user
                user["roles"] = roles.map { ["name": $0, "selected": $0 == user["role"] as? String] }
                return user
            },
        ]
    }

    private func audit() async throws -> [String: Any] {
        let (entries, next) = try await list("audit?limit=100" + cursorQuery)
        var view: [String: Any] = [
            "chain": try await get("audit/chain"),
            "entries": entries.map { entry in
                var entry = entry
                let details = entry["details"] as? [String: Any] ?? [:]
                entry["details_text"] = details.keys.sorted().map { "\($0): \(details[$0].map { "\($0)" } ?? "")" }.joined(separator: ", ")
                return entry
            },
        ]
        view["next"] = next.map { "/console/audit?cursor=\(Self.encoded($0))" }
        return view
    }

    /// How a mailbox is named in lists: its name, else its number or SIP user.
    static func label(of mailbox: [String: Any]) -> String {
        for key in ["display_name", "number", "sip_user"] {
            if let text = mailbox[key] as? String, !text.isEmpty { return key == "sip_user" ? "SIP user \(text)" : text }
        }
        return "Mailbox"
    }

    static func minutesAndSeconds(_ seconds: Any?) -> String {
        let total = Int(((seconds as? Double) ?? Double(seconds as? Int ?? 0)).rounded())
        return "\(total / 60):" + String(format: "%02d", total % 60)
    }

    /// A value as one path segment or query value: only unreserved characters stay as they are.
    static func encoded(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
    }

    /// RFC 3986's unreserved characters, built once.
    private static let unreserved: CharacterSet = {
        var allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        allowed.insert(charactersIn: "-._~")
        return allowed
    }()
}
