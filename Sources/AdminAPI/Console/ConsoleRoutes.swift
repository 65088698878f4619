import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Vault

/// The web console: server-rendered pages over the admin API, signed in with
/// a cookie. Pages are GETs that only read; every change is a form POST that
/// must come from the console's own pages (``ConsoleGuard``) and carry the
/// session's CSRF token; the work itself is done by the API's routes
/// (``InProcessAPI``), so the console has no checks of its own to get wrong.
struct ConsoleRoutes {
    let backend: AdminBackend
    let api: InProcessAPI

    func add(to router: Router<AdminRequestContext>) {
        router.get("/") { _, _ in Self.redirect("/console/") }
        let console = router.group("console")
        console.get("/") { request, context in
            guard let (principal, _) = try await session(request, context: context) else { return Self.redirect("/console/sign-in") }
            return Self.redirect(ConsolePage.landing(for: principal.role).path)
        }
        console.get("app.js") { _, _ in Self.asset(ConsoleAssets.script, type: "text/javascript; charset=utf-8") }
        console.get("console.css") { _, _ in Self.asset(ConsoleAssets.styleSheet, type: "text/css; charset=utf-8") }
        console.get("sign-in") { request, context in try await signInPage(request, context: context) }
        console.post("sign-in") { request, context in try await signIn(request, context: context) }
        console.post("sign-out") { request, context in
            var response = try await perform(request, context: context, back: "/console/sign-in") { _, principal, _ in
                // The API ends the session and audits it.
                _ = try await api.send(.delete, "session", as: principal, context: context)
                return Self.redirect("/console/sign-in")
            }
            // The cookie goes whatever happened: a page that says the sign-out failed must not leave the browser signed in.
            response.setCookie(Self.expired(ConsoleGuard.sessionCookie))
            return response
        }
        // Each page by its own name: a router prefers a fixed segment to a parameter and does not
        // step back, so "mailboxes" (which has "mailboxes/:id/…" below it) would never reach ":page".
        for page in ConsolePage.allCases {
            console.get(RouterPath(page.rawValue)) { request, context in try await show(page, request, context: context) }
        }
        console.get(":page") { _, _ in
            Self.page("problem", ["title": "No such page", "detail": "the console has no page by that name", "back": "/console/"], status: .notFound)
        }
        addAudio(to: console)
        addActions(to: console)
    }

    private func show(_ page: ConsolePage, _ request: Request, context: AdminRequestContext) async throws -> Response {
        guard let (principal, token) = try await session(request, context: context) else { return Self.redirect("/console/sign-in") }
        var view: [String: Any]
        do {
            view = try await ConsoleViews(api: api, principal: principal, request: request, context: context).view(of: page)
        } catch let problem as Problem {
            return Self.problemPage(problem, principal: principal, token: token, back: ConsolePage.landing(for: principal.role).path)
        }
        Self.frame(&view, principal: principal, token: token, current: page)
        return Self.page(page.rawValue, view)
    }

    // MARK: Audio: the API's streams, as the signed-in user.

    private func addAudio(to console: RouterGroup<AdminRequestContext>) {
        console.get("messages/:id/audio") { request, context in
            guard let (principal, _) = try await session(request, context: context) else { throw Problem.signInRequired }
            let id = ConsoleViews.encoded(try context.parameters.require("id"))
            let format = request.uri.queryParameters["format"] == "wav" ? "wav" : "opus"
            let download = request.uri.queryParameters["download"] == "1" ? "&download=1" : ""
            var headers = HTTPFields()
            if let range = request.headers[.range] { headers[.range] = range }
            return try await api.forward(.get, "messages/\(id)/audio?format=\(format)\(download)", as: principal, headers: headers, context: context)
        }
        console.get("mailboxes/:id/greetings/:purpose") { request, context in
            guard let (principal, _) = try await session(request, context: context) else { throw Problem.signInRequired }
            return try await api.forward(.get, try Self.greetingPath(context), as: principal, context: context)
        }
        // app.js sends the file as the body, the CSRF token in a header.
        console.put("mailboxes/:id/greetings/:purpose") { request, context in
            if let refusal = ConsoleGuard.crossSiteRefusal(request.headers, authority: request.head.authority) {
                throw Problem(.forbidden, "cross-site", "Refused", refusal)
            }
            guard let (principal, token) = try await session(request, context: context) else { throw Problem.signInRequired }
            guard let sent = request.headers[HTTPField.Name("X-CSRF-Token")!], ConsoleGuard.same(sent, ConsoleGuard.csrfToken(forSession: token)) else {
                throw Problem(.forbidden, "csrf", "Refused", "the upload did not carry this session's form token; reload the page and try again")
            }
            var headers = HTTPFields()
            for name in [HTTPField.Name.contentType, .contentLength] { if let value = request.headers[name] { headers[name] = value } }
            return try await api.forward(.put, try Self.greetingPath(context), as: principal, body: request.body, headers: headers, context: context)
        }
    }

    static func greetingPath(_ context: AdminRequestContext) throws -> String {
        "mailboxes/\(ConsoleViews.encoded(try context.parameters.require("id")))/greetings/\(ConsoleViews.encoded(try context.parameters.require("purpose")))"
    }

    // MARK: Signing in

    private func signInPage(_ request: Request, context: AdminRequestContext, error: String? = nil, email: String? = nil, status: HTTPResponse.Status = .ok)
        async throws -> Response
    {
        if error == nil, let (principal, _) = try await session(request, context: context) {
            return Self.redirect(ConsolePage.landing(for: principal.role).path)
        }
        let token = request.cookies[ConsoleGuard.signInCookie]?.value.filter { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
        let formToken = token.flatMap { $0.count == 43 ? $0 : nil } ?? Self.randomToken()
        // Absent values are left out: Mustache would print an empty Optional as "nil".
        var view: [String: Any] = ["csrf": formToken]
        view["error"] = error
        view["email"] = email
        var response = Self.page("sign-in", view, status: status)
        response.setCookie(Self.cookie(ConsoleGuard.signInCookie, formToken, maxAge: 3600))
        return response
    }

    private func signIn(_ request: Request, context: AdminRequestContext) async throws -> Response {
        if let refusal = ConsoleGuard.crossSiteRefusal(request.headers, authority: request.head.authority) {
            return Self.page("problem", ["title": "Refused", "detail": refusal, "back": "/console/sign-in"], status: .forbidden)
        }
        let form: FormBody
        switch await Self.form(request, context: context) {
        case .success(let read): form = read
        case .failure(let refusal): return Self.page("problem", ["title": "Refused", "detail": refusal.description, "back": "/console/sign-in"], status: .badRequest)
        }
        guard let expected = request.cookies[ConsoleGuard.signInCookie]?.value, let sent = form["csrf"], ConsoleGuard.same(sent, expected) else {
            return try await signInPage(request, context: context, error: "The sign-in form had expired; please sign in again.", status: .forbidden)
        }
        let email = form.text("email") ?? ""
        // Signing in again ends the session this browser had, rather than leaving it to idle out.
        if let (previous, _) = try await session(request, context: context) {
            _ = try? await api.send(.delete, "session", as: previous, context: context)
        }
        do {
            let answer = try await api.json(.post, "session", as: nil, json: ["email": email, "password": form["password"] ?? ""], context: context)
            guard let token = (answer as? [String: Any])?["token"] as? String,
                let role = ((answer as? [String: Any])?["user"] as? [String: Any])?["role"] as? String
            else { throw Problem(.internalServerError, "internal", "Sign-in failed", "the box did not answer with a session") }
            let landing = User.Role(name: role).map { ConsolePage.landing(for: $0) } ?? .mailboxes
            var response = Self.redirect(landing.path)
            response.setCookie(Self.cookie(ConsoleGuard.sessionCookie, token))
            response.setCookie(Self.expired(ConsoleGuard.signInCookie))
            return response
        } catch let problem as Problem {
            return try await signInPage(request, context: context, error: problem.detail, email: email, status: problem.status)
        }
    }

    /// The signed-in user from the session cookie, and the session token (for the CSRF token).
    ///
    /// A request another page on the same site makes (an `<img>` or `<audio>` on
    /// another host or port of the LAN's domain carries a `SameSite=Strict`
    /// cookie too) is treated as signed out: it would keep the session from
    /// idling out and write reads into the audit log in the user's name.
    func session(_ request: Request, context: AdminRequestContext) async throws -> (AdminPrincipal, String)? {
        guard ConsoleGuard.mayUseSession(request.headers), let token = request.cookies[ConsoleGuard.sessionCookie]?.value, token.hasPrefix("hbs_"),
            let principal = try await AdminAuthenticator.principal(for: token, backend: backend), case .session = principal.credential
        else { return nil }
        return (principal, token)
    }

    // MARK: Forms

    /// Runs a form's action: from this console's pages, by a signed-in user,
    /// with the session's CSRF token; a refusal from the API is shown with
    /// what to do and a way back.
    func perform(
        _ request: Request, context: AdminRequestContext, back: String,
        _ action: (FormBody, AdminPrincipal, String) async throws -> Response
    ) async throws -> Response {
        if let refusal = ConsoleGuard.crossSiteRefusal(request.headers, authority: request.head.authority) {
            return Self.page("problem", ["title": "Refused", "detail": refusal + "; nothing was changed", "back": back], status: .forbidden)
        }
        guard let (principal, token) = try await session(request, context: context) else { return Self.redirect("/console/sign-in") }
        let form: FormBody
        switch await Self.form(request, context: context) {
        case .success(let read): form = read
        case .failure(let refusal): return Self.problemPage(Problem.invalid(refusal.description), principal: principal, token: token, back: back)
        }
        guard let sent = form["csrf"], ConsoleGuard.same(sent, ConsoleGuard.csrfToken(forSession: token)) else {
            return Self.problemPage(
                Problem(.forbidden, "csrf", "Refused", "the form did not carry this session's token (it may be from before you signed in again); reload the page and try again; nothing was changed"),
                principal: principal, token: token, back: back
            )
        }
        do {
            return try await action(form, principal, token)
        } catch let problem as Problem {
            return Self.problemPage(problem, principal: principal, token: token, back: back)
        }
    }

    static func form(_ request: Request, context: AdminRequestContext) async -> Result<FormBody, FormBody.Refusal> {
        guard request.headers[.contentType]?.lowercased().hasPrefix("application/x-www-form-urlencoded") ?? false else { return .failure(.malformed) }
        guard let body = try? await request.body.collect(upTo: FormBody.maximumBytes) else { return .failure(.tooLarge) }
        return Result { () throws(FormBody.Refusal) in try FormBody(body.readableBytesView) }
    }

    // MARK: Responses

    static func frame(_ view: inout [String: Any], principal: AdminPrincipal, token: String, current: ConsolePage?) {
        view["signed_in"] = true
        view["csrf"] = ConsoleGuard.csrfToken(forSession: token)
        view["role"] = principal.role.name
        view["nav"] = ConsolePage.menu(for: principal.role, current: current)
        // Forms the role could not use are left off (the API would refuse them anyway).
        view["may_configure"] = principal.role.permits(.changeConfiguration)
        view["may_set_retention"] = principal.role.permits(.manageCompliance)
    }

    static func page(_ template: String, _ view: [String: Any], status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "text/html; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: ConsoleTemplates.render(view, as: template)))
        )
    }

    static func problemPage(_ problem: Problem, principal: AdminPrincipal, token: String, back: String) -> Response {
        var view: [String: Any] = ["title": problem.title, "detail": problem.detail, "back": back]
        frame(&view, principal: principal, token: token, current: nil)
        return page("problem", view, status: problem.status)
    }

    static func outcome(_ heading: String, _ facts: [(String, String)], secret: String? = nil, warning: String? = nil, back: String,
                        principal: AdminPrincipal, token: String) -> Response {
        var rows: [[String: Any]] = facts.map { ["name": $0.0, "value": $0.1, "secret": false] }
        if let secret { rows.insert(["name": "Key", "value": secret, "secret": true], at: 0) }
        var view: [String: Any] = ["heading": heading, "facts": rows, "back": back]
        view["warning"] = warning
        frame(&view, principal: principal, token: token, current: nil)
        return page("outcome", view)
    }

    /// 303: after a form, the browser fetches the page with GET.
    static func redirect(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location])
    }

    static func asset(_ text: String, type: String) -> Response {
        Response(status: .ok, headers: [.contentType: type], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func cookie(_ name: String, _ value: String, maxAge: Int? = nil) -> Cookie {
        Cookie(name: name, value: value, maxAge: maxAge, path: "/", secure: true, httpOnly: true, sameSite: .strict)
    }

    static func expired(_ name: String) -> Cookie {
        Cookie(name: name, value: "", maxAge: 0, path: "/", secure: true, httpOnly: true, sameSite: .strict)
    }

    static func randomToken() -> String {
        TenantVault.base64URL(TenantVault.randomBytes(32))
    }
}
