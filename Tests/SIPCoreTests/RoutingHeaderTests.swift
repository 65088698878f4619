import SIPCore
import Testing

/// History-Info (RFC 7044), Diversion (RFC 5806), P-Asserted-Identity
/// (RFC 3325) and Privacy (RFC 3323) as trunks and PBXs write them.
@Suite("Routing headers")
struct RoutingHeaderTests {
    func headers(_ fields: [(SIPHeaderName, String)]) -> SIPHeaders {
        SIPHeaders(fields.map { SIPHeaders.Field(name: $0.0, value: $0.1) })
    }

    @Test("History-Info: RFC 7044's voicemail example gives the user first called and the cause")
    func historyInfoVoicemail() throws {
        // RFC 7044 §10.2-style: Bob's phone did not answer (408); the proxy mapped the call to voicemail.
        let entries = try headers([
            (.historyInfo, "<sips:bob@example.com>;index=1"),
            (.historyInfo, "<sips:bob@192.0.2.4?Reason=SIP%3Bcause%3D408%3Btext%3D%22Request%20Timeout%22>;index=1.1;rc=1, <sips:vm@example.com;cause=408>;index=1.2;mp=1"),
        ]).historyInfo()
        #expect(entries.map(\.index) == [[1], [1, 1], [1, 2]])
        #expect(entries[1].recursedFrom == [1] && entries[1].reasonCause == 408)
        #expect(entries[2].mappedFrom == [1] && entries[2].cause == 408)
        let diversion = try #require(HistoryInfoEntry.lastDiversion(in: entries))
        #expect(diversion.diverted.userOrNumber == "bob")
        #expect(diversion.reason == .noAnswer)
    }

    @Test("History-Info: the last diversion of a chain wins; RFC 4458's target parameter names the user outright; a Reason alone gives the cause")
    func historyInfoChain() throws {
        let chain = try headers([(.historyInfo, """
            <sip:+4930111222@carrier.example>;index=1, <sip:+4930333444@carrier.example;cause=302>;index=1.1;mp=1, \
            <sip:+4930555666@carrier.example?Reason=SIP%3Bcause%3D486>;index=1.1.1;mp=1.1, <sip:box@192.0.2.9;cause=486>;index=1.1.1.1;mp=1.1.1
            """)]).historyInfo()
        let last = try #require(HistoryInfoEntry.lastDiversion(in: chain))
        #expect(last.diverted.userOrNumber == "+4930555666" && last.reason == .busy)

        let targeted = try headers([(.historyInfo, "<sip:+4930111222@a.example>;index=1, <sip:vm@b.example;target=sip:%2B4930777888%40a.example;cause=404>;index=1.1;mp=1")]).historyInfo()
        let named = try #require(HistoryInfoEntry.lastDiversion(in: targeted))
        #expect(named.diverted.userOrNumber == "+4930777888" && named.reason == .unavailable)

        let reasonOnly = try headers([(.historyInfo, "<sip:alice@pbx.example?Reason=SIP%3Bcause%3D486>;index=1, <sip:vm@pbx.example>;index=1.1;mp=1")]).historyInfo()
        let busy = try #require(HistoryInfoEntry.lastDiversion(in: reasonOnly))
        #expect(busy.diverted.userOrNumber == "alice" && busy.reason == .busy)
        // A Reason is the status the old target's request ended with: 487 is a proxy's no-answer timer cancelling it, 480 an unregistered phone.
        for (status, reason) in [(487, DiversionReason.noAnswer), (480, .unavailable), (408, .noAnswer)] {
            let entries = try headers([(.historyInfo, "<sip:alice@pbx.example?Reason=SIP%3Bcause%3D\(status)>;index=1, <sip:vm@pbx.example>;index=1.1;mp=1")]).historyInfo()
            #expect(HistoryInfoEntry.lastDiversion(in: entries)?.reason == reason, "Reason \(status)")
        }

        // A fork: two branches 1.1 and 1.2, the second mapped (no mp written) to voicemail at 1.2.1; its parent is 1.2, not 1.1.
        let forked = try headers([(.historyInfo, "<sip:team@pbx.example>;index=1, <sip:carol@pbx.example>;index=1.1;rc=1, <sip:dave@pbx.example>;index=1.2;rc=1, <sip:vm@pbx.example;cause=408>;index=1.2.1")]).historyInfo()
        #expect(HistoryInfoEntry.lastDiversion(in: forked)?.diverted.userOrNumber == "dave")
    }

    @Test("History-Info without a mapped or cause-carrying entry was not diverted: a proxy's location lookup only recurses")
    func historyInfoWithoutDiversion() throws {
        let entries = try headers([(.historyInfo, "<sip:100@proxy.example>;index=1, <sip:100@192.0.2.9>;index=1.1;rc=1")]).historyInfo()
        #expect(HistoryInfoEntry.lastDiversion(in: entries) == nil)
    }

    @Test("History-Info that breaks the grammar or its bounds is refused by name, not half-read", arguments: [
        "<sip:a@b.example>",  // no index
        "sip:a@b.example;index=1",  // target not in <>
        "<sip:a@b.example>;index=1..2",
        "<sip:a@b.example>;index=12345",
        "<sip:a@b.example;cause=9999>;index=1",
        "<sip:a@b.example>;index=1;mp=x",
        "<sip:a@b.example>;index=" + Array(repeating: "1", count: 33).joined(separator: "."),
        Array(repeating: "<sip:a@b.example>;index=1", count: 65).joined(separator: ", "),
    ])
    func historyInfoRefused(value: String) {
        #expect(throws: SIPHeaderError.self) { try headers([(.historyInfo, value)]).historyInfo() }
    }

    @Test("Diversion: the most recent entry comes first, with its reason (token or quoted) and counter")
    func diversion() throws {
        let entries = try headers([
            (.diversion, "<sip:+4930111222@carrier.example;user=phone>;reason=user-busy;counter=1;privacy=off"),
            (.diversion, "\"Reception\" <sip:100@pbx.example>;reason=\"no-answer\";counter=2, <tel:+4930999888>;reason=unconditional"),
        ]).diversions()
        #expect(entries.map(\.diverter.userOrNumber) == ["+4930111222", "100", "+4930999888"])
        #expect(entries.map(\.reason) == [.busy, .noAnswer, .unconditional])
        #expect(entries.map(\.counter) == [1, 2, nil])
        #expect(try headers([(.diversion, "<sip:a@b.example>;reason=deflection")]).diversions().first?.reason == .other)
    }

    @Test("Diversion with a counter out of range, an unclosed bracket or too many entries is refused", arguments: [
        "<sip:a@b.example>;counter=100", "<sip:a@b.example>;counter=0", "<sip:a@b.example>;counter=-1", "<sip:a@b.example;reason=x",
        Array(repeating: "<sip:a@b.example>", count: 33).joined(separator: ","),
    ])
    func diversionRefused(value: String) {
        #expect(throws: SIPHeaderError.self) { try headers([(.diversion, value)]).diversions() }
    }

    @Test("P-Asserted-Identity gives a SIP and a tel identity; Privacy's values are read whichever separator a device uses")
    func identityAndPrivacy() throws {
        let request = headers([
            (.pAssertedIdentity, "\"Cullen Jennings\" <sip:+14085551212@cisco.example>, <tel:+14085551212>"),
            (.privacy, "id; header"), (.privacy, "User"),
        ])
        #expect(try request.assertedIdentities().map(\.userOrNumber) == ["+14085551212", "+14085551212"])
        #expect(try request.privacy() == ["id", "header", "user"])
        #expect(throws: SIPHeaderError.self) { try headers([(.privacy, "id, <script>")]).privacy() }
        #expect(throws: SIPHeaderError.self) { try headers([(.pAssertedIdentity, Array(repeating: "<sip:a@b.example>", count: 5).joined(separator: ","))]).assertedIdentities() }
    }

    @Test("A URI's user or number drops RFC 3966 parameters; anonymous users and anonymous.invalid hide a caller")
    func userOrNumber() throws {
        #expect(try URI.parse("sip:030111222;phone-context=+49@carrier.example;user=phone").userOrNumber == "030111222")
        #expect(try URI.parse("tel:+49-30-111222;ext=7").userOrNumber == "+49-30-111222")
        #expect(try URI.parse("sip:carrier.example").userOrNumber == nil)
        #expect(try URI.parse("mailto:a@b.example").userOrNumber == nil)
        #expect(try URI.parse("sip:anonymous@anonymous.invalid").isAnonymous)
        #expect(try URI.parse("sip:Anonymous@carrier.example").isAnonymous)
        #expect(try URI.parse("sip:+4930111222@anonymous.invalid").isAnonymous)
        #expect(try !URI.parse("sip:+4930111222@carrier.example").isAnonymous)
    }

    @Test("Addressing keeps what parses and names what does not: an unreadable Privacy header still withholds")
    func addressing() throws {
        let message = try SIPParser().parse(datagram: Array("""
            INVITE sip:4930111000@192.0.2.9:5061;transport=tls SIP/2.0\r
            Via: SIP/2.0/TLS 198.51.100.1:5061;branch=z9hG4bK-1\r
            From: <sip:+4930999888@carrier.example>;tag=a\r
            To: <sip:+4930111222@carrier.example>\r
            Call-ID: routing-1\r
            CSeq: 1 INVITE\r
            Max-Forwards: 70\r
            Diversion: <sip:+4930111222@carrier.example>;counter=500\r
            Privacy: <id>\r
            Contact: <sip:carrier.example>\r
            Content-Length: 0\r
            \r

            """.utf8))
        guard case .request(let invite) = message else {
            Issue.record("the INVITE did not parse as a request")
            return
        }
        let addressing = CallAddressing(invite)
        #expect(addressing.requestURI.userOrNumber == "4930111000" && addressing.to?.userOrNumber == "+4930111222")
        #expect(addressing.diversions.isEmpty && addressing.malformed == [.diversion, .privacy])
        #expect(addressing.privacy == ["id"])
    }
}
