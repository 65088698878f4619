import Foundation
import HushboxTestSupport
import Testing

extension CallingTests {
    /// The admin API as a customer meets it: hushboxd serving HTTPS, the first
    /// owner and an API key made with the `hushbox` command, and schemathesis
    /// fuzzing docs/admin-api.yaml with that key.
    @Suite("Admin API end to end")
    struct AdminEndToEndTests {
        static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        static let schemathesis = repository.appendingPathComponent(".build/test-tools/schemathesis/bin/schemathesis").path
        static let request = repository.appendingPathComponent("Tests/Hostile/admin_request.py").path

        /// The id and token `hushbox apikey create` printed.
        static func key(in output: String) throws -> (id: String, token: String) {
            let token = try #require(output.firstMatch(of: /key    (hbx_[0-9a-f]{16}_[A-Za-z0-9_-]{43})/)?.output.1, "\(output)")
            let id = try #require(output.firstMatch(of: /id     ([0-9a-f-]{36})/)?.output.1, "\(output)")
            return (String(id), String(token))
        }

        /// One request through Python's HTTPS client: the status and the body.
        static func call(_ method: String, _ url: String, token: String? = nil, json: String? = nil) async throws -> (status: Int, body: String) {
            let result = try await ChildProcess.run("/usr/bin/python3", [request, method, url, token ?? ""] + (json.map { [$0] } ?? []), within: .seconds(30))
            let lines = result.output.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
            return (Int(lines.first ?? "") ?? 0, lines.count > 1 ? String(lines[1]) : "")
        }

        @Test("the first owner and an API key from the command line; sign-in over HTTPS; schemathesis on docs/admin-api.yaml finds no server error and no answer the document does not allow; a revoked key is refused at once",
              .enabled(if: FileManager.default.isExecutableFile(atPath: schemathesis), "schemathesis is not installed: run `make test-tools` (make test does)"))
        func customerFirstSteps() async throws {
            let box = try await VoicemailBox()
            defer { Task { try? await box.stop() } }
            let port = try #require(box.ports["admin"], "the start-up status names the admin console")
            let base = "https://127.0.0.1:\(port)"
            let passwordFile = try box.directory.write("correct horse battery staple\n", to: "password")
            let owner = try await box.hushbox(["user", "add", "--email", "inhaber@praxis.example", "--role", "owner", "--password-file", passwordFile])
            #expect(owner.status == 0, "\(owner.errors)")
            let listed = try await box.hushbox(["user", "list"])
            #expect(listed.output.contains("owner  inhaber@praxis.example  active"))
            let created = try await box.hushbox(["apikey", "create", "--role", "owner", "--label", "fuzzing"])
            #expect(created.status == 0, "\(created.errors)")
            let token = try Self.key(in: created.output).token

            let signIn = try await Self.call("POST", base + "/api/v1/session", json: #"{"email":"inhaber@praxis.example","password":"correct horse battery staple"}"#)
            #expect(signIn.status == 201, "\(signIn.body)")
            #expect(try await Self.call("GET", base + "/api/v1/mailboxes", token: token).body.contains(box.mailboxID))

            let fuzz = try await ChildProcess.run(
                Self.schemathesis,
                ["run", Self.repository.appendingPathComponent("docs/admin-api.yaml").path, "--url", base, "--header", "Authorization: Bearer \(token)",
                 "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance",
                 "--tls-verify", "false", "--max-examples", "25", "--seed", "23", "--phases", "examples,coverage,fuzzing", "--no-color", "--workers", "1"],
                directory: box.directory.path, environment: HushboxdLifecycleTests.environment(["HOME": box.directory.path]),
                within: .seconds(600)
            )
            print("schemathesis against the admin API: \(fuzz.output.split(separator: "\n").suffix(6).joined(separator: " | "))")
            #expect(fuzz.status == 0, "\(fuzz.output.suffix(6000))\n\(fuzz.errors.suffix(2000))")
            #expect(box.daemon.isRunning, "hushboxd is still running")

            // The fuzzing may have revoked its own key or changed the owner (it reuses ids it was shown): new keys for what follows.
            let reader = try Self.key(in: try await box.hushbox(["apikey", "create", "--role", "read-only"]).output)
            let auditor = try Self.key(in: try await box.hushbox(["apikey", "create", "--role", "admin"]).output)
            #expect(try await Self.call("GET", base + "/api/v1/me", token: reader.token).status == 200)
            let revoked = try await box.hushbox(["apikey", "revoke", reader.id])
            #expect(revoked.status == 0, "\(revoked.output) \(revoked.errors)")
            #expect(try await Self.call("GET", base + "/api/v1/me", token: reader.token).status == 401, "refused the moment it is revoked")
            let audit = try await Self.call("GET", base + "/api/v1/audit?limit=200", token: auditor.token)
            #expect(audit.body.contains("api_key.revoked") && audit.body.contains("user.signed_in"), "\(audit.body.suffix(2000))")
        }
    }
}
