import Foundation
import HTTPTypes
import Hummingbird

/// The console's forms, each one call to the API with the form's fields as
/// its JSON body. Empty fields are left out (the API keeps what it has);
/// numbers must be numbers and dates are read as UTC.
extension ConsoleRoutes {
    func addActions(to console: RouterGroup<AdminRequestContext>) {
        post(console, "messages/:id/heard", back: "/console/messages") { form, call in
            try await call.send(.post, "messages/\(try call.id("id"))/heard")
            return call.redirect(Self.messagesPage(mailbox: form["mailbox"]))
        }
        post(console, "messages/:id/delete", back: "/console/messages") { form, call in
            try await call.send(.delete, "messages/\(try call.id("id"))")
            return call.redirect(Self.messagesPage(mailbox: form["mailbox"]))
        }
        post(console, "mailboxes/:id/settings", back: "/console/mailboxes") { form, call in
            var change = try Self.fields(form, text: ["display_name", "number", "sip_user", "language"], integers: ["max_message_seconds", "max_messages"])
            for flag in ["recording_enabled", "consent_required"] { change[flag] = form[flag] == "true" }
            try await call.send(.patch, "mailboxes/\(try call.id("id"))", json: change)
            return call.redirect("/console/mailboxes")
        }
        post(console, "mailboxes/:id/greetings/:purpose/delete", back: "/console/mailboxes") { _, call in
            try await call.send(.delete, "mailboxes/\(try call.id("id"))/greetings/\(try call.id("purpose"))")
            return call.redirect("/console/mailboxes")
        }
        post(console, "retention/:kind", back: "/console/retention") { form, call in
            try await call.send(.put, "retention/\(try call.id("kind"))", json: try Self.fields(form, integers: ["days"], required: ["days"]))
            return call.redirect("/console/retention")
        }
        addPrivacyActions(to: console)
        addComplianceActions(to: console)
        addAccessActions(to: console)
    }

    private func addPrivacyActions(to console: RouterGroup<AdminRequestContext>) {
        post(console, "privacy/export", back: "/console/privacy") { form, call in
            // The ZIP as the API makes it, with its file name: the browser saves it.
            try await call.api.send(.post, "privacy/exports", as: call.principal, json: try Self.fields(form, text: ["subject"], required: ["subject"]), context: call.context)
        }
        post(console, "privacy/erasure", back: "/console/privacy") { form, call in
            let erased = try await call.json(.post, "privacy/erasures", json: try Self.fields(form, text: ["subject"], required: ["subject"]))
            return call.outcome("Erasure recorded", [
                ("Calls hidden now", "\(erased["calls_hidden"] ?? 0)"), ("Messages hidden now", "\(erased["messages_hidden"] ?? 0)"),
                ("Deleted for good on", erased["hard_delete_due_at_text"] as? String ?? ""), ("Receivers to be told", "\(erased["receivers_to_tell"] ?? 0)"),
            ])
        }
        post(console, "privacy/rectification", back: "/console/privacy") { form, call in
            let corrected = try await call.json(
                .post, "privacy/rectifications", json: try Self.fields(form, text: ["subject", "number", "email", "display_name"], required: ["subject"])
            )
            let fields = (corrected["corrected"] as? [Any])?.map { "\($0)" }.joined(separator: ", ") ?? ""
            return call.outcome("Corrected", [("What was corrected", fields.isEmpty ? "nothing" : fields)] + ((corrected["calls"] as? Int).map { [("Calls corrected", "\($0)")] } ?? []))
        }
        post(console, "privacy/restriction", back: "/console/privacy") { form, call in
            let lift = form["lift"] == "true"
            try await call.send(.post, lift ? "privacy/restrictions/lift" : "privacy/restrictions", json: try Self.fields(form, text: ["subject"], required: ["subject"]))
            return call.outcome(lift ? "Restriction lifted" : "Processing restricted", [("User", form.text("subject") ?? "")])
        }
    }

    private func addComplianceActions(to console: RouterGroup<AdminRequestContext>) {
        post(console, "incidents", back: "/console/incidents") { form, call in
            try await call.send(.post, "incidents", json: try Self.fields(form, text: ["severity", "summary"], times: ["aware_since"], required: ["severity", "summary"]))
            return call.redirect("/console/incidents")
        }
        post(console, "incidents/:id/update", back: "/console/incidents") { form, call in
            try await call.send(.patch, "incidents/\(try call.id("id"))", json: try Self.fields(form, text: ["severity", "summary"], times: ["aware_since"]))
            return call.redirect("/console/incidents")
        }
        post(console, "incidents/:id/notification", back: "/console/incidents") { form, call in
            try await call.send(.post, "incidents/\(try call.id("id"))/notification", json: try Self.fields(form, text: ["reason"], times: ["at"]))
            return call.redirect("/console/incidents")
        }
        post(console, "incidents/:id/closing", back: "/console/incidents") { form, call in
            var closing = try Self.fields(form, text: ["reason"])
            if form["without_notification"] == "true" { closing["without_notification"] = true }
            try await call.send(.post, "incidents/\(try call.id("id"))/closing", json: closing)
            return call.redirect("/console/incidents")
        }
        post(console, "sub-processors", back: "/console/sub-processors") { form, call in
            try await call.send(
                .post, "sub-processors",
                json: try Self.fields(form, text: ["name", "purpose", "region"], dates: ["go_live", "notice_given"], required: ["name", "purpose", "region"])
            )
            return call.redirect("/console/sub-processors")
        }
        post(console, "sub-processors/:name/delete", back: "/console/sub-processors") { _, call in
            try await call.send(.delete, "sub-processors/\(try call.id("name"))")
            return call.redirect("/console/sub-processors")
        }
        post(console, "uplink/:id/retry", back: "/console/uplink") { _, call in
            try await call.send(.post, "uplink/queue/\(try call.id("id"))/retry")
            return call.redirect("/console/uplink")
        }
    }

    private func addAccessActions(to console: RouterGroup<AdminRequestContext>) {
        post(console, "api-keys", back: "/console/api-keys") { form, call in
            let key = try await call.json(.post, "api-keys", json: try Self.fields(form, text: ["label", "role"], required: ["role"]))
            return call.outcome(
                "API key made", [("Role", key["role"] as? String ?? ""), ("Label", key["label"] as? String ?? "")], secret: key["token"] as? String,
                warning: "Copy the key now: the box keeps only its hash and cannot show it again."
            )
        }
        post(console, "api-keys/:id/revoke", back: "/console/api-keys") { _, call in
            try await call.send(.delete, "api-keys/\(try call.id("id"))")
            return call.redirect("/console/api-keys")
        }
        post(console, "users", back: "/console/users") { form, call in
            var user = try Self.fields(form, text: ["email", "display_name", "role"], required: ["email", "role"])
            user["password"] = form["password"] ?? ""
            try await call.send(.post, "users", json: user)
            return call.redirect("/console/users")
        }
        post(console, "users/:id/change", back: "/console/users") { form, call in
            // Only what changed: an unchanged role is not re-sent (each change is an audit entry), and a
            // disabled user stays disabled (the API re-enables no one; `hushbox restrict --lift` and a reset do not either).
            var change: [String: any Sendable] = [:]
            if let role = form.text("role"), role != form.text("current_role") { change["role"] = role }
            if form["disabled"] == "true" { change["disabled"] = true }
            if let password = form["password"], !password.isEmpty { change["password"] = password }
            guard !change.isEmpty else { return call.redirect("/console/users") }
            try await call.send(.patch, "users/\(try call.id("id"))", json: change)
            return call.redirect("/console/users")
        }
    }

    /// One form action: a POST under /console that `perform` guards.
    private func post(
        _ console: RouterGroup<AdminRequestContext>, _ path: RouterPath, back: String,
        _ action: @escaping @Sendable (FormBody, ConsoleCall) async throws -> Response
    ) {
        console.post(path) { request, context in
            try await perform(request, context: context, back: back) { form, principal, token in
                try await action(form, ConsoleCall(api: api, principal: principal, token: token, context: context, back: back))
            }
        }
    }

    static func messagesPage(mailbox: String?) -> String {
        guard let mailbox, !mailbox.isEmpty else { return "/console/messages" }
        return "/console/messages?mailbox=" + ConsoleViews.encoded(mailbox)
    }

    /// A form's fields as an API body: text trimmed (empty left out), integers
    /// and UTC times checked, and the required ones present.
    static func fields(
        _ form: FormBody, text: [String] = [], integers: [String] = [], times: [String] = [], dates: [String] = [], required: Set<String> = []
    ) throws(Problem) -> [String: any Sendable] {
        var body: [String: any Sendable] = [:]
        for name in text { if let value = form.text(name) { body[name] = value } }
        for name in integers {
            guard let value = form.text(name) else { continue }
            guard let number = Int(value) else { throw Problem.invalid("\(name.replacingOccurrences(of: "_", with: " ")) must be a whole number") }
            body[name] = number
        }
        // <input type="datetime-local"> sends 2026-12-06T15:40; <input type="date"> sends 2026-12-06.
        for name in times {
            guard let value = form.text(name) else { continue }
            guard value.wholeMatch(of: /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/) != nil else { throw Problem.invalid("\(name.replacingOccurrences(of: "_", with: " ")) must be a date and time") }
            body[name] = value + ":00Z"
        }
        for name in dates {
            guard let value = form.text(name) else { continue }
            guard value.wholeMatch(of: /\d{4}-\d{2}-\d{2}/) != nil else { throw Problem.invalid("\(name.replacingOccurrences(of: "_", with: " ")) must be a date") }
            body[name] = value + "T00:00:00Z"
        }
        if let missing = required.sorted().first(where: { body[$0] == nil }) {
            throw Problem.invalid("\(missing.replacingOccurrences(of: "_", with: " ")) is needed")
        }
        return body
    }
}

/// What a form action has to hand: the API as the signed-in user, and the page to go back to.
struct ConsoleCall: Sendable {
    let api: InProcessAPI
    let principal: AdminPrincipal
    let token: String
    let context: AdminRequestContext
    let back: String

    /// A route parameter as one encoded path segment.
    func id(_ name: String) throws -> String {
        ConsoleViews.encoded(try context.parameters.require(name))
    }

    @discardableResult
    func send(_ method: HTTPRequest.Method, _ path: String, json: [String: any Sendable]? = nil) async throws -> Response {
        try await api.send(method, path, as: principal, json: json, context: context)
    }

    func json(_ method: HTTPRequest.Method, _ path: String, json: [String: any Sendable]) async throws -> [String: Any] {
        try await api.json(method, path, as: principal, json: json, context: context) as? [String: Any] ?? [:]
    }

    func redirect(_ location: String) -> Response { ConsoleRoutes.redirect(location) }

    func outcome(_ heading: String, _ facts: [(String, String)], secret: String? = nil, warning: String? = nil) -> Response {
        ConsoleRoutes.outcome(heading, facts, secret: secret, warning: warning, back: back, principal: principal, token: token)
    }
}
