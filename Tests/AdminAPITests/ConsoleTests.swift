@testable import AdminAPI
import Foundation
import HTTPTypes
import Hummingbird
import CSndFile
import HummingbirdTesting
import HushboxTestSupport
import Mustache
import NIOCore
import Testing
import Vault

/// A browser as far as the console cares: it keeps the cookies it is given
/// and sends them back, and sends `Origin` and `Sec-Fetch-Site` as Chromium
/// does for a form on the console's own page.
struct ConsoleBrowser {
    let client: any TestClientProtocol
    var cookies: [String: String] = [:]

    init(_ client: any TestClientProtocol, session: String? = nil) {
        self.client = client
        if let session { cookies[ConsoleGuard.sessionCookie] = session }
    }

    mutating func get(_ path: String, headers: HTTPFields = [:]) async throws -> TestResponse {
        try await send(path, .get, headers: headers, body: nil)
    }

    /// A form post, URL-encoded; `headers` replace the same-origin ones.
    mutating func post(_ path: String, _ fields: [(String, String)], headers: HTTPFields = ConsolePages.sameOrigin) async throws -> TestResponse {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let body = fields.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }.joined(separator: "&")
        var all = headers
        all[.contentType] = "application/x-www-form-urlencoded"
        return try await send(path, .post, headers: all, body: ByteBuffer(string: body))
    }

    mutating func send(_ path: String, _ method: HTTPRequest.Method, headers: HTTPFields, body: ByteBuffer?) async throws -> TestResponse {
        var all = headers
        if !cookies.isEmpty { all[.cookie] = cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") }
        let response = try await client.execute(uri: path, method: method, headers: all, body: body)
        for line in response.headers[values: .setCookie] {
            let pair = line.split(separator: ";")[0].split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let value = pair.count > 1 ? String(pair[1]) : ""
            if value.isEmpty || line.contains("Max-Age=0") { cookies[String(pair[0])] = nil } else { cookies[String(pair[0])] = value }
        }
        return response
    }
}

/// Reading the console's pages as a test needs them.
enum ConsolePages {
    /// The authority Hummingbird's router test client gives every request.
    static let host = "localhost"
    static var sameOrigin: HTTPFields {
        [.origin: "https://\(host)", HTTPField.Name("Sec-Fetch-Site")!: "same-origin"]
    }

    static func html(_ response: TestResponse) -> String {
        String(buffer: response.body)
    }

    /// The value of the first hidden `csrf` field on a page.
    static func csrf(in page: String) throws -> String {
        try #require(page.firstMatch(of: /name="csrf" value="([A-Za-z0-9_-]+)"/).map { String($0.output.1) }, "the page has a form token")
    }
}

extension AdminAPISuite {
    /// The web console over the API: cookie sessions, pages that show what the
    /// API shows the same role, forms that only the console's own pages can
    /// send, and nothing a caller or user typed rendered as markup.
    @Suite("Web console")
    struct ConsoleTests {
        static func session(_ box: AdminFixture, _ role: User.Role = .owner) throws -> String {
            try box.own.tenant.createSession(userID: try #require(box.own.users[role]).id).token
        }

        @Test("signing in through the form sets a __Host- session cookie that is Secure, HttpOnly and SameSite=Strict, and lands on the messages")
        func signInForm() async throws {
            let box = try AdminFixture(passwords: true)
            try await box.application().test(.router) { client in
                var browser = ConsoleBrowser(client)
                #expect(try await browser.get("/").headers[.location] == "/console/")
                #expect(try await browser.get("/console/").headers[.location] == "/console/sign-in", "signed out: to the sign-in page")
                let form = try await browser.get("/console/sign-in")
                #expect(form.status == .ok)
                #expect(form.headers[.contentSecurityPolicy]?.contains("script-src 'self'") == true)
                #expect(form.headers[HTTPField.Name("X-Frame-Options")!] == "DENY")
                let token = try ConsolePages.csrf(in: ConsolePages.html(form))
                #expect(ConsolePages.html(form).contains(#"name="email" autocomplete="username" required value="""#), "an empty field is empty, not \"nil\"")

                let wrong = try await browser.post("/console/sign-in", [("csrf", token), ("email", "owner@praxis.example"), ("password", "not the password")])
                #expect(wrong.status == .unauthorized)
                #expect(ConsolePages.html(wrong).contains("password is wrong"), "the page says why")
                #expect(browser.cookies[ConsoleGuard.sessionCookie] == nil)

                let right = try await browser.post("/console/sign-in", [("csrf", token), ("email", "owner@praxis.example"), ("password", AdminFixture.password)])
                #expect(right.status == .seeOther)
                #expect(right.headers[.location] == "/console/messages")
                let cookie = try #require(right.headers[values: .setCookie].first { $0.hasPrefix(ConsoleGuard.sessionCookie + "=hbs_") })
                for attribute in ["Path=/", "Secure", "HttpOnly", "SameSite=Strict"] { #expect(cookie.contains(attribute), "\(cookie)") }
                #expect(!cookie.contains("Domain"), "a __Host- cookie names no domain")
                let messages = try await browser.get("/console/messages")
                #expect(messages.status == .ok)
                #expect(ConsolePages.html(messages).contains(box.own.message.id))
                #expect(!ConsolePages.html(messages).contains(box.other.message.id), "only the organisation's own messages")

                // Signing in again in the same browser (a second tab's form) ends the session it had.
                let first = try #require(browser.cookies[ConsoleGuard.sessionCookie])
                var tab = ConsoleBrowser(client)
                let again = try ConsolePages.csrf(in: ConsolePages.html(try await tab.get("/console/sign-in")))
                browser.cookies[ConsoleGuard.signInCookie] = tab.cookies[ConsoleGuard.signInCookie]
                _ = try await browser.post("/console/sign-in", [("csrf", again), ("email", "owner@praxis.example"), ("password", AdminFixture.password)])
                #expect(try #require(browser.cookies[ConsoleGuard.sessionCookie]) != first)
                #expect(try await client.execute(uri: "/api/v1/me", method: .get, headers: AdminFixture.bearer(first)).status == .unauthorized)
            }
            let actions = try AdminFixture.actions(box.own.tenant)
            #expect(actions.filter { $0 == "user.signed_in" }.count == 2 && actions.contains("user.signed_out"), "the console signs in and out through the API, audited")
        }

        @Test("a sign-in form without its cookie's token, or posted from another site, is refused before any password is checked")
        func signInForgery() async throws {
            let box = try AdminFixture(passwords: true)
            try await box.application().test(.router) { client in
                var browser = ConsoleBrowser(client)
                let token = try ConsolePages.csrf(in: ConsolePages.html(try await browser.get("/console/sign-in")))
                let credentials = [("email", "owner@praxis.example"), ("password", AdminFixture.password)]
                let crossSite = try await browser.post("/console/sign-in", [("csrf", token)] + credentials, headers: [.origin: "https://evil.example"])
                #expect(crossSite.status == .forbidden)
                browser.cookies[ConsoleGuard.signInCookie] = nil
                let noCookie = try await browser.post("/console/sign-in", [("csrf", token)] + credentials)
                #expect(noCookie.status == .forbidden)
                #expect(browser.cookies[ConsoleGuard.sessionCookie] == nil)
            }
            #expect(try !AdminFixture.actions(box.own.tenant).contains("user.signed_in"))
        }

        @Test("a form needs the session's token and the console's own origin: a cross-site post, a missing or another session's token change nothing")
        func forgedForms() async throws {
            let box = try AdminFixture()
            let id = box.own.message.id
            try await box.application().test(.router) { client in
                var browser = ConsoleBrowser(client, session: try Self.session(box))
                let page = ConsolePages.html(try await browser.get("/console/messages"))
                let token = try ConsolePages.csrf(in: page)
                #expect(token == ConsoleGuard.csrfToken(forSession: try #require(browser.cookies[ConsoleGuard.sessionCookie])))
                let other = ConsoleGuard.csrfToken(forSession: try Self.session(box))

                let attempts: [([(String, String)], HTTPFields, String)] = [
                    ([("csrf", token)], [.origin: "https://evil.example"], "another origin"),
                    ([("csrf", token)], [HTTPField.Name("Sec-Fetch-Site")!: "cross-site"], "Sec-Fetch-Site: cross-site"),
                    ([("csrf", token)], [HTTPField.Name("Sec-Fetch-Site")!: "same-site"], "a sibling name on the LAN"),
                    ([("csrf", token)], [.origin: "null"], "an opaque origin"),
                    ([], ConsolePages.sameOrigin, "no token"),
                    ([("csrf", other)], ConsolePages.sameOrigin, "another session's token"),
                ]
                for (fields, headers, what) in attempts {
                    let refused = try await browser.post("/console/messages/\(id)/heard", fields, headers: headers)
                    #expect(refused.status == .forbidden, "\(what)")
                    #expect(ConsolePages.html(refused).contains("nothing was changed"), "\(what)")
                }
                #expect(try box.own.tenant.voicemail(id)?.heard == false)
                let done = try await browser.post("/console/messages/\(id)/heard", [("csrf", token), ("mailbox", box.own.mailbox.id)])
                #expect(done.status == .seeOther)
                #expect(done.headers[.location] == "/console/messages?mailbox=\(box.own.mailbox.id)")
                #expect(try box.own.tenant.voicemail(id)?.heard == true)
            }
        }

        @Test("after sign-out the old cookie opens nothing and changes nothing")
        func signedOut() async throws {
            let box = try AdminFixture()
            try await box.application().test(.router) { client in
                let session = try Self.session(box)
                var browser = ConsoleBrowser(client, session: session)
                let token = try ConsolePages.csrf(in: ConsolePages.html(try await browser.get("/console/messages")))
                let out = try await browser.post("/console/sign-out", [("csrf", token)])
                #expect(out.status == .seeOther && out.headers[.location] == "/console/sign-in")
                #expect(browser.cookies[ConsoleGuard.sessionCookie] == nil, "the cookie is cleared")

                var stale = ConsoleBrowser(client, session: session)
                #expect(try await stale.get("/console/messages").headers[.location] == "/console/sign-in")
                let delete = try await stale.post("/console/messages/\(box.own.message.id)/delete", [("csrf", token)])
                #expect(delete.headers[.location] == "/console/sign-in")
                #expect(try await stale.get("/console/messages/\(box.own.message.id)/audio").status == .unauthorized)
            }
            #expect(try box.own.tenant.voicemail(box.own.message.id)?.state == .active)
            #expect(try AdminFixture.actions(box.own.tenant).contains("user.signed_out"))
        }

        @Test("what a caller or a user typed is shown as text, never as markup")
        func escaping() async throws {
            let box = try AdminFixture()
            var mailbox = box.own.mailbox
            mailbox.displayName = #"<script>alert("x")</script>"#
            #expect(try box.own.tenant.update(mailbox))
            try await box.application().test(.router) { client in
                var browser = ConsoleBrowser(client, session: try Self.session(box))
                for page in ["/console/messages", "/console/mailboxes"] {
                    let html = ConsolePages.html(try await browser.get(page))
                    #expect(!html.contains("<script>alert"), "\(page)")
                    #expect(html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"), "\(page)")
                }
            }
        }

        @Test("each role sees the pages its permissions allow; a technician sees no messages and is refused them by the API")
        func roles() async throws {
            let box = try AdminFixture()
            try await box.application().test(.router) { client in
                var technician = ConsoleBrowser(client, session: try Self.session(box, .technician))
                #expect(try await technician.get("/console/").headers[.location] == "/console/mailboxes")
                let mailboxes = ConsolePages.html(try await technician.get("/console/mailboxes"))
                #expect(!mailboxes.contains(#"href="/console/messages""#) && !mailboxes.contains(#"href="/console/audit""#), "\(mailboxes)")
                #expect(!mailboxes.contains("+49 30 5550000"), "a technician is not shown the mailbox's number")
                let messages = try await technician.get("/console/messages")
                #expect(messages.status == .forbidden)
                #expect(try await technician.get("/console/messages/\(box.own.message.id)/audio").status == .forbidden)

                var reader = ConsoleBrowser(client, session: try Self.session(box, .viewer))
                let html = ConsolePages.html(try await reader.get("/console/messages"))
                #expect(html.contains(box.own.message.id) && !html.contains("/delete"), "read-only: listen, no delete")
                #expect(try await reader.get("/console/users").status == .forbidden)

                var owner = ConsoleBrowser(client, session: try Self.session(box))
                for page in ConsolePage.allCases {
                    let response = try await owner.get(page.path)
                    #expect(response.status == .ok, "\(page)")
                    #expect(ConsolePages.html(response).contains(#"aria-current="page""#), "\(page)")
                }
                #expect(try await owner.get("/console/no-such-page").status == .notFound)
                let retention = ConsolePages.html(try await owner.get("/console/retention"))
                #expect(retention.contains(#"Messages past their period (their audio destroyed)</td><td data-label="Items">0</td>"#), "the purge preview, from the API")
            }
        }

        @Test("the player's audio comes from the API as the signed-in user, Range and all")
        func audio() async throws {
            let box = try AdminFixture()
            try await box.application().test(.router) { client in
                var browser = ConsoleBrowser(client, session: try Self.session(box))
                let probe = try await browser.get("/console/messages/\(box.own.message.id)/audio?format=opus", headers: [.range: "bytes=0-1"])
                #expect(probe.status == .partialContent)
                #expect(Array(probe.body.readableBytesView) == Array(box.own.audio.prefix(2)))
                let whole = try await browser.get("/console/messages/\(box.own.message.id)/audio?format=opus&download=1")
                #expect(Array(whole.body.readableBytesView) == box.own.audio)
                #expect(whole.headers[.contentDisposition]?.contains("attachment") == true)
                #expect(try await browser.get("/console/messages/\(box.other.message.id)/audio").status == .notFound, "another organisation's message")
                let beyond = try await browser.get("/console/messages/\(box.own.message.id)/audio?format=opus", headers: [.range: "bytes=99999999-"])
                #expect(beyond.status == .rangeNotSatisfiable)
                #expect(beyond.headers[.contentRange] == "bytes */\(box.own.audio.count)", "the player learns the length, as from the API")

                // Another host of the same site embedding the player: the cookie rides along (SameSite), the session does not.
                let embedded = try await browser.get(
                    "/console/messages/\(box.own.message.id)/audio", headers: [HTTPField.Name("Sec-Fetch-Site")!: "same-site", HTTPField.Name("Sec-Fetch-Mode")!: "no-cors"]
                )
                #expect(embedded.status == .unauthorized)
                let linked = try await browser.get("/console/messages", headers: [HTTPField.Name("Sec-Fetch-Site")!: "same-site", HTTPField.Name("Sec-Fetch-Mode")!: "navigate"])
                #expect(linked.status == .ok, "a link the user follows opens the page")
            }
        }

        @Test("forms do what the API does: a new key is shown once, settings are checked, a refusal says what to fix")
        func forms() async throws {
            let box = try AdminFixture()
            try await box.application().test(.router) { client in
                var browser = ConsoleBrowser(client, session: try Self.session(box))
                let token = try ConsolePages.csrf(in: ConsolePages.html(try await browser.get("/console/api-keys")))
                let made = try await browser.post("/console/api-keys", [("csrf", token), ("label", "backup script"), ("role", "read-only")])
                #expect(made.status == .ok)
                let key = try #require(ConsolePages.html(made).firstMatch(of: /(hbx_[0-9a-f]{16}_[A-Za-z0-9_-]{43})/)?.output.1)
                #expect(!ConsolePages.html(try await browser.get("/console/api-keys")).contains(String(key)), "shown once")
                #expect(try await client.execute(uri: "/api/v1/me", method: .get, headers: AdminFixture.bearer(String(key))).status == .ok)

                let bad = try await browser.post(
                    "/console/mailboxes/\(box.own.mailbox.id)/settings",
                    [("csrf", token), ("language", "en"), ("max_message_seconds", "99999"), ("max_messages", "100"), ("recording_enabled", "true")]
                )
                #expect(bad.status == .badRequest)
                #expect(ConsolePages.html(bad).contains("between 5 and 3600"))
                let good = try await browser.post(
                    "/console/mailboxes/\(box.own.mailbox.id)/settings",
                    [("csrf", token), ("language", "en"), ("max_message_seconds", "120"), ("max_messages", "100"), ("recording_enabled", "true")]
                )
                #expect(good.status == .seeOther)
                let changed = try #require(try box.own.tenant.mailbox(box.own.mailbox.id))
                #expect(changed.maxMessageSeconds == 120 && changed.consentRequired == false, "an unticked box is off")

                // A user's row: saving an unchanged role changes nothing; ticking "disable" disables.
                let viewer = try #require(box.own.users[.viewer]).id
                let before = try AdminFixture.actions(box.own.tenant).count
                #expect(try await browser.post("/console/users/\(viewer)/change", [("csrf", token), ("current_role", "read-only"), ("role", "read-only")]).status == .seeOther)
                #expect(try AdminFixture.actions(box.own.tenant).count == before, "nothing to change, nothing audited")
                #expect(try await browser.post("/console/users/\(viewer)/change", [("csrf", token), ("current_role", "read-only"), ("role", "read-only"), ("disabled", "true")]).status == .seeOther)
                #expect(try AdminFixture.actions(box.own.tenant).suffix(3).contains("user.disabled"))

                let tooMany = try await browser.post("/console/incidents", (0..<40).map { ("f\($0)", "x") } + [("csrf", token)])
                #expect(tooMany.status == .badRequest)
                #expect(ConsolePages.html(tooMany).contains("more than 32 fields"))
            }
            #expect(try AdminFixture.actions(box.own.tenant).contains("api_key.created"))
        }

        @Test("incidents: record, correct, notify with an earlier time, then list the closed ones too; a user's password is set from their row")
        func incidentsAndPasswords() async throws {
            let box = try AdminFixture()
            try await box.application().test(.router) { client in
                var browser = ConsoleBrowser(client, session: try Self.session(box))
                let token = try ConsolePages.csrf(in: ConsolePages.html(try await browser.get("/console/incidents")))
                #expect(try await browser.post("/console/incidents", [("csrf", token), ("severity", "medium"), ("summary", "A laptop was lost")]).status == .seeOther)
                let page = ConsolePages.html(try await browser.get("/console/incidents"))
                let id = try #require(page.firstMatch(of: /id="incident-([0-9a-f-]{36})"/)?.output.1)
                #expect(page.contains("h ") && page.contains("left to notify"), "the 72-hour clock")
                let corrected = try await browser.post("/console/incidents/\(id)/update", [("csrf", token), ("severity", "high"), ("summary", "A laptop with exports was lost")])
                #expect(corrected.status == .seeOther)
                #expect(ConsolePages.html(try await browser.get("/console/incidents")).contains("<strong>high</strong> · A laptop with exports was lost"))
                let wrong = try await browser.post("/console/incidents/\(id)/notification", [("csrf", token), ("at", "yesterday")])
                #expect(wrong.status == .badRequest && ConsolePages.html(wrong).contains("at must be a date and time"))
                // Told ten minutes ago, ten minutes after the box learnt of it (and within the session's 30 idle minutes).
                box.time.advance(20 * 60)
                let earlier = ISO8601DateFormatter.string(from: box.time.now.addingTimeInterval(-600), timeZone: .gmt, formatOptions: [.withFullDate, .withTime, .withColonSeparatorInTime, .withDashSeparatorInDate]).prefix(16)
                #expect(try await browser.post("/console/incidents/\(id)/notification", [("csrf", token), ("at", String(earlier)), ("reason", "ref 2026-17")]).status == .seeOther)
                #expect(try await browser.post("/console/incidents/\(id)/closing", [("csrf", token)]).status == .seeOther)
                #expect(!ConsolePages.html(try await browser.get("/console/incidents")).contains(String(id)), "closed: off the default list")
                #expect(ConsolePages.html(try await browser.get("/console/incidents?all=true")).contains(String(id)), "and on the full one")

                let viewer = try #require(box.own.users[.viewer]).id
                let set = try await browser.post("/console/users/\(viewer)/change", [("csrf", token), ("current_role", "read-only"), ("role", "read-only"), ("password", "a new password for them")])
                #expect(set.status == .seeOther)
                let short = try await browser.post("/console/users/\(viewer)/change", [("csrf", token), ("current_role", "read-only"), ("role", "read-only"), ("password", "short")])
                #expect(short.status == .badRequest && ConsolePages.html(short).contains("12 characters"))
            }
            let actions = try AdminFixture.actions(box.own.tenant)
            for action in ["incident.opened", "incident.updated", "incident.notified", "incident.closed", "user.password_reset"] {
                #expect(actions.contains(action), "\(action)")
            }
        }

        @Test("a greeting uploads through the console with the session's token in a header, and not without it")
        func greetingUpload() async throws {
            let box = try AdminFixture()
            let directory = try TemporaryDirectory()
            let wav = try #require(try GreetingImportTests.file(format: SF_FORMAT_WAV | SF_FORMAT_PCM_16, rate: 16_000, channels: 1, seconds: 2, in: directory, name: "g.wav"))
            try await box.application().test(.router) { client in
                var browser = ConsoleBrowser(client, session: try Self.session(box))
                let token = try ConsolePages.csrf(in: ConsolePages.html(try await browser.get("/console/mailboxes")))
                let path = "/console/mailboxes/\(box.own.mailbox.id)/greetings/standard"
                var headers = ConsolePages.sameOrigin
                headers[.contentType] = "audio/wav"
                let refused = try await browser.send(path, .put, headers: headers, body: ByteBuffer(bytes: wav))
                #expect(refused.status == .forbidden)
                headers[HTTPField.Name("X-CSRF-Token")!] = token
                let saved = try await browser.send(path, .put, headers: headers, body: ByteBuffer(bytes: wav))
                #expect(saved.status == .ok, "\(String(buffer: saved.body))")
                #expect(try await browser.get(path).status == .ok)
            }
        }

        @Test("every template parses, none renders a value unescaped, and every form that changes something carries the CSRF token")
        func templates() throws {
            for (name, source) in ConsoleTemplates.sources {
                #expect(throws: Never.self, "\(name)") { _ = try MustacheTemplate(string: source) }
                #expect(!source.contains("{{{") && !source.contains("{{&"), "\(name) renders a value unescaped")
                for form in source.matches(of: /<form[^>]*>[\s\S]*?<\/form>/) where !form.output.contains(#"method="get""#) {
                    #expect(form.output.contains(#"name="csrf" value="{{csrf}}""#), "\(name): \(form.output.prefix(120))")
                }
            }
            #expect(!ConsoleAssets.script.contains("innerHTML"), "the script writes text, never markup")
        }

        @Test("a form body is read within bounds: size, field count and encoding")
        func formBodies() throws {
            #expect(try FormBody(Array("a=1&b=two+words&c=%C3%A9&a=2".utf8)).fields == ["a": "1", "b": "two words", "c": "é"])
            #expect(throws: FormBody.Refusal.tooLarge) { try FormBody([UInt8](repeating: 0x61, count: FormBody.maximumBytes + 1)) }
            #expect(throws: FormBody.Refusal.tooManyFields) { try FormBody(Array((0...32).map { "f\($0)=1" }.joined(separator: "&").utf8)) }
            #expect(throws: FormBody.Refusal.malformed) { try FormBody(Array("a=%E0%A4".utf8)) }
            #expect(throws: FormBody.Refusal.malformed) { try FormBody([0x61, 0x3D, 0xFF]) }
        }

        @Test("the cross-site check: same-origin passes; another site, an opaque origin or another host is named")
        func crossSite() {
            let host = "box.local:8443"
            #expect(ConsoleGuard.crossSiteRefusal([.origin: "https://box.local:8443", HTTPField.Name("Sec-Fetch-Site")!: "same-origin"], authority: host) == nil)
            #expect(ConsoleGuard.crossSiteRefusal([:], authority: host) == nil, "no browser headers: the token alone decides")
            #expect(ConsoleGuard.crossSiteRefusal([.origin: "http://box.local:8443"], authority: host) != nil, "plain HTTP is another origin")
            #expect(ConsoleGuard.crossSiteRefusal([.origin: "https://box.local:8443"], authority: "other:8443") != nil)
            #expect(ConsoleGuard.crossSiteRefusal([HTTPField.Name("Sec-Fetch-Site")!: "none"], authority: host) != nil)
            #expect(ConsoleGuard.same("abc", "abc") && !ConsoleGuard.same("abc", "abd") && !ConsoleGuard.same("abc", "ab"))
        }
    }
}
