import HushboxService
import Testing

@Suite("Redacting log lines")
struct RedactorTests {
    let redactor = Redactor()

    @Test("phone numbers are masked however they are written", arguments: [
        ("incoming call from +4915112345678 to mailbox 100", "incoming call from *** to mailbox 100"),
        ("caller +49 30 1234567 pressed 1", "caller *** pressed 1"),
        ("caller +49 (0)30 1234567 hung up", "caller *** hung up"),
        ("callback number 030/1234567.", "callback number ***."),
        ("Rückruf an (030) 123 45 67 bitte", "Rückruf an *** bitte"),
        ("dialled 0049 30 1234567 via trunk", "dialled *** via trunk"),
        ("mobile 01511 2345678", "mobile ***"),
        ("caller=4930123456789 outcome=recorded", "caller=*** outcome=recorded"),
        ("From: <tel:+43-1-5355555>;tag=88sja8x", "From: <tel:***>;tag=88sja8x"),
    ])
    func phoneNumbers(line: String, expected: String) {
        #expect(redactor.redact(line) == expected)
    }

    @Test("ids, sizes, dates, times, versions and addresses stay readable", arguments: [
        "call 7f9c2ba4-e88f-4a2b-9d3e-446655440000 ended after 93 s",
        "wrote 1048576 bytes in 12 chunks",
        "sizes 1024 2048 4096 8192",
        "purge at 2026-11-23 03:00:00 UTC removed 17 rows",
        "2026-11-23T08:40:00.123456789Z started",
        "listening on 192.168.100.200:5061 and [::1]:5061",
        "libsrtp2 2.5.0, libopus 1.3.1, pid 123456",
        "branch z9hG4bK776asdhds tag 1928301774",
        "audio object 0000000123 sealed",
        "ssrc 4294967295 timestamp 3735928559 at 1795425600",
    ])
    func harmlessTextUntouched(line: String) {
        #expect(redactor.redact(line) == line)
    }

    @Test("SIP URIs keep their host but lose their user part and display name")
    func sipURIs() {
        let line = #"INVITE from "Max Mustermann" <sip:+4915112345678@trunk.example.de;user=phone>;tag=1928301774 to <sips:alice:s3cret@box.example.eu>"#
        #expect(
            redactor.redact(line)
                == #"INVITE from "***" <sip:***@trunk.example.de;user=phone>;tag=1928301774 to <sips:***@box.example.eu>"#
        )
    }

    @Test("e-mail addresses keep their domain only")
    func emailAddresses() {
        #expect(
            redactor.redact("export sent to anna.schmidt+hushbox@praxis-beispiel.de for subject 42")
                == "export sent to ***@praxis-beispiel.de for subject 42"
        )
    }

    @Test("bearer tokens are masked")
    func bearerTokens() {
        let line = "upload refused: Authorization: Bearer hbx_live_4f9Qx.7Zk-Lm_9~pQ+/abc== (HTTP 401)"
        #expect(redactor.redact(line) == "upload refused: Authorization: Bearer *** (HTTP 401)")
    }

    @Test("a SIP Call-ID redacted as an identifier keeps its shape")
    func callIdentifier() {
        #expect(redactor.redactIdentifier("a84b4c76e66710@pc33.atlanta.example.com") == "a84b4c76e66710@pc33.atlanta.example.com")
        #expect(redactor.redact("a84b4c76e66710@pc33.atlanta.example.com") == "***@pc33.atlanta.example.com")
        #expect(redactor.redactIdentifier("+4915112345678-1@host.example") == "***@host.example")
    }
}
