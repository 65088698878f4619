import Foundation
import HushboxTestSupport
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

extension CallingTests {
    /// The box behind a real SIP proxy: Kamailio (``KamailioProxy``) is the
    /// registrar it registers with by digest over TLS, and the proxy that
    /// forwards baresip's calls to it: to its registered number, on no answer
    /// with Diversion, on busy with History-Info, and from an anonymous caller.
    /// The peer writes numbers nationally (`030…` for Germany), as several
    /// German carriers do.
    @Suite("A trunk or PBX in front of the box: Kamailio", .serialized)
    struct TrunkEndToEndTests {
        static let registeredUser = "030111000"
        static let aliceNumber = "030111222"
        static let bobNumber = "0049301113333"
        static let carolNumber = "+49301114444"
        static let assertedCaller = "+4930999888"

        /// Kamailio, and a box registered with it whose mailbox 100 has the
        /// registered number. With `dns`, the box finds Kamailio as the domain
        /// `sip.test` through that name server, instead of by its address.
        static func boxBehindKamailio(
            prompts: inout (path: String, secondsBeforeRecording: Double)?, dns: ((KamailioProxy) async throws -> NameServer)? = nil
        ) async throws -> (VoicemailBox, KamailioProxy, TemporaryDirectory) {
            let directory = try TemporaryDirectory(prefix: "hushbox-trunk")
            let short = try await HostileSIPTests.shortPrompts(in: directory)
            prompts = short
            let proxy = try await KamailioProxy(
                in: directory, boxUser: registeredUser, aliceNumber: aliceNumber, bobNumber: bobNumber, carolNumber: carolNumber,
                assertedCaller: assertedCaller,
                domain: dns == nil ? nil : "sip.test"
            )
            let nameServer: NameServer?
            do {
                nameServer = try await dns?(proxy)
            } catch {
                await proxy.stop()
                throw error
            }
            // The registration's password, where the development configuration keeps secrets: 0600 in 0700 directories.
            let credentials = directory.child(".hushbox-dev/credentials")
            try FileManager.default.createDirectory(atPath: credentials, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            chmod(directory.child(".hushbox-dev"), 0o700)
            #expect(FileManager.default.createFile(
                atPath: credentials + "/sip-peer-proxy", contents: Data((KamailioProxy.password + "\n").utf8), attributes: [.posixPermissions: 0o600]
            ))
            let configuration = """
                sip:
                  peers:
                    proxy:
                      kind: trunk
                      sources: [127.0.0.1]
                      registrar: \(nameServer == nil ? "sip:127.0.0.1:\(proxy.tlsPort)" : "sip:sip.test")
                      registration_username: "\(registeredUser)"
                      registration_expires: 600
                      ca_file: \(proxy.certificatePath)
                      numbers: national
                      country: DE
                      asserts_identity: true

                """ + (nameServer.map { "  dns_server: 127.0.0.1\n  dns_port: \($0.port)\n" } ?? "")
            var box: VoicemailBox?
            do {
                box = try await VoicemailBox(
                    configuration: configuration, mailbox: ["--number", "+4930111000"], in: directory,
                    environment: ["HUSHBOX_STORAGE_PROMPTS_DIRECTORY": short.path]
                )
                try await box?.daemon.standardError.waitFor("the registration with Kamailio", within: .seconds(30)) { $0.contains("registered with trunk") }
            } catch {
                // Nothing outlives a failed start.
                try? await box?.stop()
                await proxy.stop()
                await nameServer?.stop()
                throw error
            }
            return (try #require(box), proxy, directory)
        }

        /// Runs `body` with a box behind Kamailio; both are stopped however it ends.
        static func withBoxBehindKamailio(
            dns: ((KamailioProxy) async throws -> NameServer)? = nil,
            _ body: (inout VoicemailBox, inout KamailioProxy, TemporaryDirectory, _ secondsBeforeRecording: Double) async throws -> Void
        ) async throws {
            var prompts: (path: String, secondsBeforeRecording: Double)?
            var (box, proxy, directory) = try await boxBehindKamailio(prompts: &prompts, dns: dns)
            do {
                try await body(&box, &proxy, directory, try #require(prompts).secondsBeforeRecording)
            } catch {
                Issue.record("Kamailio's script said: \(proxy.scriptLog.suffix(16).joined(separator: "\n"))")
                await proxy.stop()
                try? await box.stop()
                throw error
            }
            await proxy.stop()
            try await box.stop()
        }

        /// `voicemail list` for any mailbox, one array of fields per message.
        static func messages(in mailbox: String, of box: VoicemailBox) async throws -> [[String]] {
            let listed = try await box.hushbox(["voicemail", "list", "--mailbox", mailbox])
            #expect(listed.status == 0, "\(listed.errors)")
            return listed.output.split(separator: "\n").map { $0.components(separatedBy: "  ") }
        }

        func target(_ user: String, _ proxy: KamailioProxy) -> String {
            "sip:\(user)@127.0.0.1:\(proxy.tlsPort);transport=tls"
        }

        @Test("The box registers with digest over TLS; a call to its registered number (030…, national) reaches the mailbox of +4930111000; after Kamailio restarts the box registers again by itself, and a caller who withheld their number (Privacy: id) is kept as withheld though From and P-Asserted-Identity carry it")
        func registeredNumberAndRestart() async throws {
            try await Self.withBoxBehindKamailio { box, proxy, directory, beforeRecording in
                let (_, callFile) = try await SpokenAudio.render(in: directory, lead: beforeRecording + 0.7, tail: 1)
                let caller = try box.call(codec: "opus/48000/2", playing: "aufile,\(callFile)", to: target(Self.registeredUser, proxy))
                let ended = try await box.callEnded(within: .seconds(60))
                #expect(ended.contains("outcome=recorded"), "\(ended)\n\(proxy.scriptLog.suffix(10))")
                await VoicemailBox.stop(caller)
                let first = try await box.messages()
                try #require(first.count == 1, "\(first)")
                #expect(first[0][3] == "+44••••••••23" && first[0][4] == "complete" && first[0][7] == "not forwarded", "\(first[0])")

                // A restart loses every binding; the box notices its connection closing and registers again.
                try await proxy.restart()
                try await box.daemon.standardError.waitForCount(2, "the registration after Kamailio's restart", within: .seconds(40)) {
                    $0.contains("registered with trunk")
                }

                // A caller withholding their number sends it in From; the network asserts it and asks for privacy.
                // Withheld callers are asked for consent in the mailbox's language (English here): the caller presses 1.
                // The short disclaimer (0.5 s), then the whole English question.
                let asked = 0.5 + (try SpokenAudio.seconds(of: ["en/consent-request"]))
                let lead = asked + 2 + 0.5 + (try SpokenAudio.seconds(of: ["beep"])) + 1
                let (_, anonymousFile) = try await SpokenAudio.render(in: directory, lead: lead, tail: 1)
                let control = BaresipControl(port: try PortHolder().port)
                let launched = ContinuousClock.now
                let anonymous = try box.call(
                    codec: "pcmu", playing: "aufile,\(anonymousFile)", caller: Self.assertedCaller, control: control, to: target(Self.registeredUser, proxy)
                )
                try await ConsentEndToEndTests.press("1", on: control, launched: launched, after: asked + 2)
                try await box.daemon.standardError.waitForCount(2, "the anonymous call to end", within: .seconds(60)) { $0.contains("voicemail call ended") }
                let anonymousEnded = box.daemon.standardError.all.last { $0.contains("voicemail call ended") } ?? ""
                #expect(anonymousEnded.contains("outcome=recorded"), "\(anonymousEnded)")
                await VoicemailBox.stop(anonymous)
                let both = try await box.messages()
                try #require(both.count == 2, "\(both)")
                let withheld = try #require(both.first { $0[3] == "withheld" }, "\(both)")
                #expect(withheld[6] == "consent given (en)", "\(withheld)")
                let revealed = try await box.hushbox(["voicemail", "list", "--mailbox", box.mailboxID, "--reveal"])
                #expect(!revealed.output.contains("4930999888"), "the asserted number under Privacy: id is not stored")
                #expect(!box.daemon.standardError.all.joined().contains("4930999888"), "nor logged")
            }
        }

        @Test("Forwarded calls reach the mailbox of the person called: alice's phone does not answer (Diversion, 030…), bob's line is busy (History-Info, 0049…), carol's phone does not answer (History-Info, +49…); each message says why it was forwarded")
        func forwardedCalls() async throws {
            try await Self.withBoxBehindKamailio { box, proxy, directory, beforeRecording in
                let alice = try await box.hushbox(["mailbox", "create", "--number", "+4930111222", "--language", "en"])
                let bob = try await box.hushbox(["mailbox", "create", "--number", "+49301113333", "--language", "en"])
                let carol = try await box.hushbox(["mailbox", "create", "--number", "+49301114444", "--language", "en"])
                try #require(alice.status == 0 && bob.status == 0 && carol.status == 0, "\(alice.errors) \(bob.errors) \(carol.errors)")
                let (_, callFile) = try await SpokenAudio.render(in: directory, lead: beforeRecording + 0.7, tail: 1)
                let callers = try ["alice", "bob", "carol"].map { user in
                    try box.call(codec: "pcmu", playing: "aufile,\(callFile)", caller: "+447700900124", to: target(user, proxy))
                }
                try await box.daemon.standardError.waitForCount(3, "the three forwarded calls to end", within: .seconds(60)) { $0.contains("voicemail call ended") }
                for caller in callers { await VoicemailBox.stop(caller) }
                let ended = box.daemon.standardError.all.filter { $0.contains("voicemail call ended") }
                #expect(ended.allSatisfy { $0.contains("outcome=recorded") }, "\(ended)\n\(proxy.scriptLog.suffix(12))")
                #expect(!box.daemon.standardError.all.contains { $0.contains("no ACK") }, "the ACKs came back along the Record-Route")

                let forAlice = try await Self.messages(in: alice.output.trimmingCharacters(in: .whitespacesAndNewlines), of: box)
                let forBob = try await Self.messages(in: bob.output.trimmingCharacters(in: .whitespacesAndNewlines), of: box)
                let forCarol = try await Self.messages(in: carol.output.trimmingCharacters(in: .whitespacesAndNewlines), of: box)
                try #require(forAlice.count == 1 && forBob.count == 1 && forCarol.count == 1, "alice \(forAlice), bob \(forBob), carol \(forCarol)")
                #expect(forAlice[0][7] == "forwarded: no answer", "\(forAlice[0])")
                #expect(forBob[0][7] == "forwarded: busy", "\(forBob[0])")
                #expect(forCarol[0][7] == "forwarded: no answer", "\(forCarol[0])")
                #expect(try await box.messages().isEmpty, "nothing landed on the registered number itself")
            }
        }

        @Test("The box finds its registrar by DNS (NAPTR, then SRV, from dnsmasq): the first SRV target's Kamailio is down (nothing listens on its port), so the box fails over to the second at once, registers there with the certificate checked against the domain, and a call to its number through it is recorded")
        func srvFailover() async throws {
            let nameServerBox = Mutex<NameServer?>(nil)
            let dead = try PortHolder().port  // released at once: nothing listens there
            do {
                try await Self.withBoxBehindKamailio(dns: { proxy in
                    let server = try await NameServer(domain: "sip.test", records: [
                        "--naptr-record=sip.test,10,50,s,SIPS+D2T,,_sips._tcp.sip.test",
                        "--srv-host=_sips._tcp.sip.test,dead.sip.test,\(dead),10,50",
                        "--srv-host=_sips._tcp.sip.test,live.sip.test,\(proxy.tlsPort),20,50",
                        "--host-record=dead.sip.test,127.0.0.1", "--host-record=live.sip.test,127.0.0.1",
                    ])
                    nameServerBox.withLock { $0 = server }
                    return server
                }) { box, proxy, directory, beforeRecording in
                    let log = box.daemon.standardError.all
                    #expect(log.contains { $0.contains("did not answer; trying 127.0.0.1:\(proxy.tlsPort)") }, "failed over: \(log.suffix(8))")
                    let (_, callFile) = try await SpokenAudio.render(in: directory, lead: beforeRecording + 0.7, tail: 1)
                    let caller = try box.call(codec: "pcmu", playing: "aufile,\(callFile)", to: target(Self.registeredUser, proxy))
                    do {
                        let ended = try await box.callEnded(within: .seconds(60))
                        #expect(ended.contains("outcome=recorded"), "\(ended)")
                    } catch {
                        Issue.record("baresip said: \((caller.standardOutput.all + caller.standardError.all).suffix(15).joined(separator: "\n"))")
                        throw error
                    }
                    await VoicemailBox.stop(caller)
                    #expect(try await box.messages().count == 1)
                }
            } catch {
                await nameServerBox.withLock { $0 }?.stop()
                throw error
            }
            await nameServerBox.withLock { $0 }?.stop()
        }
    }
}