import Foundation
import SIPCore
import Testing

@Suite("Parsing SIP messages")
struct ParserTests {
    private func request(_ name: String) throws -> SIPRequest {
        guard case .request(let request) = try SIPParser().parse(datagram: try TortureTests.bytes(name)) else {
            throw TestFailure("\(name) is not a request")
        }
        return request
    }

    struct TestFailure: Error { let message: String; init(_ message: String) { self.message = message } }

    @Test("folded lines, compact forms, odd case and LWS (wsinv)")
    func tortuousInvite() throws {
        let invite = try request("wsinv")
        #expect(invite.method == .invite)
        let vias = try invite.headers.vias()
        #expect(vias.count == 3)
        #expect(vias[0].transport == "UDP")
        #expect(vias[0].branch == "390skdjuw")
        #expect(vias[1].host == .domain("spindle.example.com"))
        #expect(vias[2].branch == "z9hG4bK30239")
        #expect(try invite.headers.to()?.tag == "1918181833n")
        #expect(try invite.headers.from()?.displayName == "J Rosenberg \\\"")
        #expect(try invite.headers.from()?.tag == "98asjd8")
        #expect(try invite.headers.maxForwards() == 68)
        #expect(try invite.headers.cseq() == CSeq(sequence: 9, method: .invite))
        #expect(invite.headers["NewFangledHeader"] == ["newfangled value continued newfangled value"])
        #expect(try invite.headers.contacts().values.first?.parameters.map(\.name) == ["newparam", "secondparam", "q"])
        #expect(invite.body.count == 150)
    }

    @Test("escapes stay as written and distinct (esc01, escnull, esc02)")
    func escapes() throws {
        let esc01 = try request("esc01")
        #expect(esc01.uri.sipURI?.user == "sips%3Auser%40example.com")
        #expect(esc01.uri.sipURI?.unescapedUser == "sips:user@example.com")
        let contact = try #require(try esc01.headers.contacts().values.first?.uri.sipURI)
        #expect(contact.parameters == [SIPParameter(name: "%6C%72"), SIPParameter(name: "n%61me", value: "v%61lue%25%34%31")])

        let escnull = try request("escnull")
        let contacts = try escnull.headers.contacts().values.compactMap(\.uri.sipURI)
        #expect(contacts.map(\.user) == ["%00", "%00%00"])
        #expect(contacts.map { $0.unescapedUser?.utf8.count } == [1, 2])

        let esc02 = try request("esc02")
        #expect(esc02.method.rawValue == "RE%47IST%45R")
        #expect(esc02.method != .register)
        #expect(try esc02.headers.contacts().values.count == 2, "C%6Fntact is another header, not Contact")
    }

    @Test("user parts may hold ; ? , / and passwords & = + $ (semiuri, intmeth)")
    func unusualUserParts() throws {
        #expect(try request("semiuri").uri.sipURI?.user == "user;par=u%40example.net")
        let intmeth = try request("intmeth")
        let uri = try #require(intmeth.uri.sipURI)
        #expect(uri.user == "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*")
        #expect(uri.password == "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)")
        #expect(uri.host == .domain("example.com"))
        #expect(try intmeth.headers.to()?.displayName == "BEL:\u{07} NUL:\u{00} DEL:\u{7F}")
        #expect(try intmeth.headers.from()?.displayName == "token1~` token2'+_ token3*%!.-")
    }

    @Test("a display name needs no space before < (lwsdisp)")
    func displayNameWithoutSpace() throws {
        #expect(try request("lwsdisp").headers.from()?.displayName == "caller")
    }

    @Test("octets after the Content-Length body are ignored (dblreq); bodies may be binary (mpart01)")
    func bodies() throws {
        let dblreq = try request("dblreq")
        #expect(dblreq.method == .register)
        #expect(dblreq.body.isEmpty)
        let mpart = try request("mpart01")
        #expect(mpart.body.count == 553)
        #expect(mpart.body.contains(0))
    }

    @Test("RFC 5118 IPv6 references in URIs and Via", arguments: [
        ("sip:[2001:db8::10]", URIHost.ipv6("2001:db8::10"), Int?.none),
        ("sip:[2001:db8::10]:5070", .ipv6("2001:db8::10"), 5070),
        ("sip:alice@[2001:db8::10:5070]", .ipv6("2001:db8::10:5070"), nil),
        ("sip:[::ffff:192.0.2.128]", .ipv6("::ffff:192.0.2.128"), nil),
        ("sips:user@192.0.2.1:5061", .ipv4("192.0.2.1"), 5061),
    ])
    func ipv6References(text: String, host: URIHost, port: Int?) throws {
        let uri = try SIPURI.parse(text)
        #expect(uri.host == host)
        #expect(uri.port == port)
        #expect(uri.description == text)
    }

    @Test("malformed IPv6 references are refused", arguments: ["sip:[2001:db8:::10]", "sip:[2001:db8::10", "sip:[1:2:3:4:5:6:7:8:9]", "sip:[::ffff:192.0.2]"])
    func badIPv6(text: String) {
        #expect(throws: SIPHeaderError.Problem.self) { try SIPURI.parse(text) }
    }

    @Test("a Via with IPv6 sent-by and received")
    func ipv6Via() throws {
        let via = try #require(try Via.parseList("SIP/2.0/UDP [2001:db8::9:1]:5060;branch=z9hG4bKas3-111;received=[2001:db8::9:255]").first)
        #expect(via.host == .ipv6("2001:db8::9:1"))
        #expect(via.port == 5060)
        #expect(via.parameters[parameter: "received"] == .some("[2001:db8::9:255]"))
    }

    @Test("limits refuse oversized input with a clear code", arguments: [
        (String(repeating: "X-Filler: a\r\n", count: 200), "tooManyHeaders"),
        ("X-Long: " + String(repeating: "a", count: 9_000) + "\r\n", "lineTooLong"),
    ])
    func limits(extra: String, code: String) {
        let text = "OPTIONS sip:a@b.example SIP/2.0\r\nVia: SIP/2.0/UDP h.example;branch=z9hG4bK1\r\n" + extra + "\r\n"
        #expect {
            try SIPParser().parse(datagram: Array(text.utf8))
        } throws: { error in
            (error as? SIPParseError)?.code.description == code
        }
    }

    @Test("a datagram over 64 KiB is refused with 513")
    func tooLarge() {
        do {
            _ = try SIPParser().parse(datagram: [UInt8](repeating: 0x41, count: 70_000))
            Issue.record("an oversized datagram parsed")
        } catch {
            #expect(error.suggestedStatus == 513)
        }
    }

    @Test("a broken request is still answered with 400 carrying its Via, From, To, Call-ID and CSeq")
    func answerBrokenRequest() throws {
        let bytes = try TortureTests.bytes("ncl")
        do {
            _ = try SIPParser().parse(datagram: bytes)
            Issue.record("ncl parsed")
        } catch {
            let response = SIPResponseBuilder.response(to: error.salvagedHeaders, statusCode: error.suggestedStatus, toTag: "hb1")
            #expect(response.statusCode == 400)
            #expect(response.headers[.via] == ["SIP/2.0/UDP 192.0.2.53;branch=z9hG4bKkdjuw"])
            #expect(response.headers[.callID] == ["ncl.0ha0isndaksdj2193423r542w35"])
            #expect(response.headers[.to] == ["sip:j.user@example.com;tag=hb1"])
            let text = String(decoding: response.serialized, as: UTF8.self)
            #expect(text.hasPrefix("SIP/2.0 400 Bad Request\r\n"))
            #expect(text.hasSuffix("Content-Length: 0\r\n\r\n"))
        }
    }

    @Test("stream framing finds whole messages and waits for partial ones")
    func streamFraming() throws {
        let message = Array("OPTIONS sip:a@b.example SIP/2.0\r\nVia: SIP/2.0/TCP h.example;branch=z9hG4bK1\r\nContent-Length: 4\r\n\r\nbody".utf8)
        let parser = SIPParser()
        #expect(try parser.frameLength(in: message) == message.count)
        #expect(try parser.frameLength(in: Array(message.dropLast())) == nil)
        #expect(try parser.frameLength(in: Array(message.prefix(20))) == nil)
        #expect(try parser.frameLength(in: [13, 10, 13, 10] + message + message) == 4 + message.count)
    }
}
