import SIPCore
import Testing

@Suite("Digest authentication")
struct DigestTests {
    @Test("RFC 7616 §3.9.1's example, with MD5 and with SHA-256")
    func rfc7616Example() {
        let arguments = (username: "Mufasa", realm: "http-auth@example.org", password: "Circle of Life", method: "GET", uri: "/dir/index.html",
            nonce: "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", cnonce: "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ")
        for (algorithm, expected) in [(DigestAlgorithm.md5, "8ca523f5e9506fed4657c9700eebdbec"), (.sha256, "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1")] {
            let response = algorithm.response(
                username: arguments.username, realm: arguments.realm, password: arguments.password, method: arguments.method,
                uri: arguments.uri, nonce: arguments.nonce, qop: "auth", nonceCount: "00000001", clientNonce: arguments.cnonce
            )
            #expect(response == expected)
        }
    }

    @Test("RFC 2617 §3.5's classic example")
    func rfc2617Example() {
        #expect(
            DigestAlgorithm.md5.response(
                username: "Mufasa", realm: "testrealm@host.com", password: "Circle Of Life", method: "GET", uri: "/dir/index.html",
                nonce: "dcd98b7102dd2f0e8b11d0f600bfb0c093", qop: "auth", nonceCount: "00000001", clientNonce: "0a4f113b"
            ) == "6629fae49393a05397450978507c4ef1"
        )
    }

    @Test("a client answers a trunk's challenge, and the header values parse back")
    func clientAnswer() throws {
        let challenge = try DigestChallenge.parse(#"Digest realm="trunk.example.eu", nonce="abc123", opaque="xyz", algorithm=SHA-256, qop="auth,auth-int""#)
        #expect(challenge.algorithm == .sha256)
        #expect(challenge.qopOptions == ["auth", "auth-int"])
        let credentials = DigestCredentials.answering(
            challenge, method: .register, uri: "sip:trunk.example.eu", username: "4930123", password: "s3cret", clientNonce: "c0ffee", nonceCount: 1
        )
        #expect(credentials.nonceCount == "00000001")
        #expect(credentials.qop == "auth")
        #expect(credentials.opaque == "xyz")
        #expect(try DigestCredentials.parse(credentials.headerValue) == credentials)
        #expect(try DigestChallenge.parse(challenge.headerValue) == challenge)
    }

    @Test("the server accepts the right password once per nonce count, and refuses wrong, replayed, forged and stale answers")
    func server() throws {
        var server = DigestServer(realm: "hushbox.local", secret: Array(repeating: 7, count: 32), nonceLifetimeSeconds: 300)
        let challenge = server.challenge(now: 1_000_000, random: Array(repeating: 1, count: 16))
        let ha1 = DigestAlgorithm.sha256.ha1(username: "phone-7", realm: "hushbox.local", password: "correct horse")
        func answer(password: String, count: UInt32, challenge: DigestChallenge = challenge) -> DigestCredentials {
            DigestCredentials.answering(challenge, method: .invite, uri: "sip:100@hushbox.local", username: "phone-7", password: password, clientNonce: "cn", nonceCount: count)
        }
        #expect(server.verify(answer(password: "correct horse", count: 1), method: .invite, ha1: ha1, now: 1_000_010) == .accepted(username: "phone-7"))
        #expect(server.verify(answer(password: "correct horse", count: 1), method: .invite, ha1: ha1, now: 1_000_011) == .rejected(reason: "nonce count 00000001 was already used: a replay"))
        #expect(server.verify(answer(password: "correct horse", count: 2), method: .invite, ha1: ha1, now: 1_000_012) == .accepted(username: "phone-7"))
        #expect(server.verify(answer(password: "wrong", count: 3), method: .invite, ha1: ha1, now: 1_000_013) == .rejected(reason: "wrong response (password)"))
        #expect(server.verify(answer(password: "correct horse", count: 4), method: .bye, ha1: ha1, now: 1_000_013) == .rejected(reason: "wrong response (password)"))
        #expect(server.verify(answer(password: "correct horse", count: 5), method: .invite, ha1: ha1, now: 1_000_400) == .stale)
        var forged = challenge
        forged.nonce = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=="
        #expect(server.verify(answer(password: "correct horse", count: 1, challenge: forged), method: .invite, ha1: ha1, now: 1_000_010) == .rejected(reason: "the nonce was not issued by this server"))
        #expect(server.verify(answer(password: "correct horse", count: 6), method: .invite, ha1: nil, now: 1_000_010) == .rejected(reason: "unknown user"))
    }
}
