import SIPCore
import Testing
import Vault
import Voicemail

/// How the box reads a forwarded, registered or carrier-formatted call, per
/// peer, without a socket: who was called, why it was forwarded, who calls.
@Suite("Call routing")
struct CallRoutingTests {
    static let germany = NumberingPlan(country: "DE")

    func uri(_ text: String) throws -> URI { try URI.parse(text) }

    func addressing(
        requestURI: String = "sip:hushbox@192.0.2.9", to: String? = nil, from: String = "sip:+447700900123@carrier.example",
        historyInfo: String? = nil, diversion: String? = nil, assertedIdentity: String? = nil, privacy: String? = nil
    ) throws -> CallAddressing {
        var headers = SIPHeaders()
        if let historyInfo { headers.append(.historyInfo, historyInfo) }
        if let diversion { headers.append(.diversion, diversion) }
        if let assertedIdentity { headers.append(.pAssertedIdentity, assertedIdentity) }
        if let privacy { headers.append(.privacy, privacy) }
        return CallAddressing(
            requestURI: try uri(requestURI), to: try to.map(uri), from: try uri(from),
            historyInfo: try headers.historyInfo(), diversions: try headers.diversions(),
            assertedIdentities: try headers.assertedIdentities(), privacy: try headers.privacy()
        )
    }

    @Test("Each carrier style reaches +4930111222 under its own format; a number written another way reaches no number", arguments: [
        ("+4930111222", CarrierNumberFormat.e164),
        ("4930111222", .international),
        ("004930111222", .internationalPrefix("00")),
        ("030111222", .national(germany!)),
        ("0049 30 111222", .national(germany!)),
        ("+4930111222", .national(germany!)),
        ("+49-30-111222", .international),
    ])
    func carrierStyles(written: String, format: CarrierNumberFormat) {
        #expect(format.normalise(written)?.e164 == "+4930111222")
    }

    @Test("What a format cannot read is not a number: no guessing at a country or an area code")
    func notNumbers() throws {
        let poland = try #require(NumberingPlan(country: "PL"))
        let italy = try #require(NumberingPlan(country: "IT"))
        let hungary = try #require(NumberingPlan(country: "HU"))
        let us = try #require(NumberingPlan(country: "us"))
        #expect(CarrierNumberFormat.e164.normalise("4930111222") == nil)
        #expect(CarrierNumberFormat.internationalPrefix("00").normalise("030111222") == nil)
        #expect(CarrierNumberFormat.national(Self.germany!).normalise("30111222") == nil, "a German number without its trunk prefix lacks an area code")
        #expect(CarrierNumberFormat.national(Self.germany!).normalise("hushbox") == nil)
        #expect(CarrierNumberFormat.international.normalise("100") == nil, "an extension is too short for E.164")
        #expect(CarrierNumberFormat.international.normalise(String(repeating: "4", count: 40)) == nil)
        // Countries without a trunk prefix dial their national numbers as they are.
        #expect(CarrierNumberFormat.national(poland).normalise("221234567")?.e164 == "+48221234567")
        #expect(CarrierNumberFormat.national(italy).normalise("0612345678")?.e164 == "+390612345678", "Italy keeps its leading 0")
        #expect(CarrierNumberFormat.national(hungary).normalise("0612345678")?.e164 == "+3612345678")
        #expect(CarrierNumberFormat.national(us).normalise("12125550123")?.e164 == "+12125550123")
        #expect(CarrierNumberFormat.national(us).normalise("2125550123")?.e164 == "+12125550123", "ten digits: the usual North American way")
        #expect(CarrierNumberFormat.national(Self.germany!).normalise("2125550123") == nil, "Germany's trunk prefix is not optional")
        #expect(CarrierNumberFormat.international.normalise("+49 (0)30 111222")?.e164 == "+4930111222", "the (0) is not dialled from abroad")
        #expect(CarrierNumberFormat.national(us).normalise("01149301112222")?.e164 == "+49301112222")
    }

    @Test("RFC 3966 parameters: an extension is not the number's own line; a local number is read only in the country of its phone-context")
    func telephoneParameters() throws {
        let national = CarrierNumberFormat.national(Self.germany!)
        #expect(national.normalise(try uri("sip:030111222;phone-context=+49@carrier.example;user=phone"))?.e164 == "+4930111222")
        #expect(national.normalise(try uri("sip:030111222;phone-context=+33@carrier.example;user=phone")) == nil, "a French context for a German style")
        #expect(CarrierNumberFormat.international.normalise(try uri("sip:30111222;phone-context=+49@carrier.example")) == nil, "not read as Greece's +30")
        #expect(national.normalise(try uri("sip:030111222;phone-context=carrier.example@carrier.example"))?.e164 == "+4930111222", "a domain context: the peer's style")
        #expect(CarrierNumberFormat.e164.normalise(try uri("tel:+4930111222;ext=7")) == nil)
        #expect(CarrierNumberFormat.e164.normalise(try uri("tel:+49-30-111222"))?.e164 == "+4930111222")
    }

    @Test("By default History-Info wins over Diversion, which wins over the Request-URI; the reason comes with the diversion")
    func defaultOrder() throws {
        let both = CallRouting(try addressing(
            requestURI: "sip:+4930000000@192.0.2.9",
            historyInfo: "<sip:+4930111222@carrier.example>;index=1, <sip:+4930000000@192.0.2.9;cause=486>;index=1.1;mp=1",
            diversion: "<sip:+4930333444@carrier.example>;reason=no-answer"
        ), policy: PeerRouting())
        #expect(both.called?.number?.e164 == "+4930111222" && both.calledFrom == .historyInfo && both.reason == .busy)

        let diverted = CallRouting(try addressing(requestURI: "sip:+4930000000@192.0.2.9", diversion: "<sip:+4930333444@carrier.example>;reason=no-answer"), policy: PeerRouting())
        #expect(diverted.called?.number?.e164 == "+4930333444" && diverted.calledFrom == .diversion && diverted.reason == .noAnswer)

        let direct = CallRouting(try addressing(requestURI: "sip:100@192.0.2.9"), policy: PeerRouting())
        #expect(direct.called == CalledParty(user: "100", number: nil) && direct.calledFrom == .requestURI && direct.reason == nil)
        #expect(direct.ignoredHeaders.isEmpty)
    }

    @Test("A peer not trusted for diversions has them ignored, and counted; the Request-URI decides")
    func untrustedDiversion() throws {
        let call = CallRouting(try addressing(
            requestURI: "sip:+4930000000@192.0.2.9",
            historyInfo: "<sip:+4930111222@x.example>;index=1, <sip:vm@x.example;cause=302>;index=1.1;mp=1",
            diversion: "<sip:+4930333444@x.example>;reason=user-busy", assertedIdentity: "<sip:+4930555666@x.example>"
        ), policy: PeerRouting(calledPartySources: [.requestURI]))
        #expect(call.called?.number?.e164 == "+4930000000" && call.reason == nil)
        #expect(call.ignoredHeaders == [.historyInfo, .diversion, .pAssertedIdentity])
        #expect(call.caller?.e164 == "+447700900123", "From, since the peer does not assert identity")
    }

    @Test("A call to the box's registered Contact reaches the registration's mailbox, or the dialled number in To when the peer routes by To first")
    func registrations() throws {
        let registered = try addressing(requestURI: "sip:4930111000@192.0.2.9:5061;transport=tls", to: "sip:+4930111222@registrar.example")
        let byRegistration = CallRouting(registered, policy: PeerRouting(registrations: ["4930111000": "100"]))
        #expect(byRegistration.called == CalledParty(user: "100", number: nil) && byRegistration.calledFrom == .requestURI)
        let asDialled = CallRouting(registered, policy: PeerRouting(numbers: .international, registrations: ["4930111000": String?.none]))
        #expect(asDialled.called?.number?.e164 == "+4930111000", "no mailbox configured: the registration's user as a number")
        let byTo = CallRouting(registered, policy: PeerRouting(calledPartySources: [.to, .requestURI], registrations: ["4930111000": "100"]))
        #expect(byTo.called?.number?.e164 == "+4930111222" && byTo.calledFrom == .to)
    }

    @Test("The caller: P-Asserted-Identity from a peer that asserts it, else From, normalised in the peer's format")
    func callerIdentity() throws {
        let national = PeerRouting(numbers: .national(Self.germany!), assertsIdentity: true)
        let asserted = CallRouting(try addressing(from: "sip:0301234567@carrier.example", assertedIdentity: "<sip:anonymous@anonymous.invalid>, <tel:0309876543>"), policy: national)
        #expect(asserted.caller?.e164 == "+49309876543", "the tel identity; the anonymous one names nobody")
        let fromOnly = CallRouting(try addressing(from: "sip:0301234567@carrier.example"), policy: national)
        #expect(fromOnly.caller?.e164 == "+49301234567")
        let name = CallRouting(try addressing(from: "sip:alice@pbx.example"), policy: national)
        #expect(name.caller == nil, "no number: withheld")
    }

    @Test("A caller who asked for privacy, or calls as anonymous, is withheld whatever the headers say", arguments: [
        ("sip:+4930123456@carrier.example", "id"), ("sip:+4930123456@carrier.example", "header"),
        ("sip:+4930123456@carrier.example", "user"), ("sip:+4930123456@carrier.example", "critical; id"),
        ("sip:anonymous@anonymous.invalid", nil), ("sip:anonymous@carrier.example", "none"),
    ])
    func withheld(from: String, privacy: String?) throws {
        let call = CallRouting(try addressing(from: from, assertedIdentity: "<sip:+4930123456@carrier.example>", privacy: privacy), policy: PeerRouting(assertsIdentity: true))
        #expect(call.caller == nil)
    }

    @Test("Privacy: none hides nothing")
    func privacyNone() throws {
        let call = CallRouting(try addressing(from: "sip:+4930123456@carrier.example", privacy: "none"), policy: PeerRouting())
        #expect(call.caller?.e164 == "+4930123456")
    }
}
