import Foundation
import Privacy
import Testing

/// The retention periods an organisation gets and may choose, and the day a
/// thing stops being kept.
@Suite("Retention policy")
struct RetentionPolicyTests {
    static let received = Date(timeIntervalSince1970: 1_795_000_000)

    func day(_ n: Double) -> Date { Self.received.addingTimeInterval(n * 86_400) }

    @Test("The defaults are the published promises")
    func defaults() {
        let policy = RetentionPolicy()
        #expect(policy[.voicemailAudio] == 90 && policy[.transcripts] == 90 && policy[.callMetadata] == 365)
        #expect(policy[.softDeleted] == 30 && policy[.revokedSessions] == 90 && policy[.deliveryLogs] == 30 && policy[.backups] == 30)
    }

    @Test("A voicemail kept 90 days is there on day 89, gone from day 90 on")
    func boundaries() {
        let policy = RetentionPolicy()
        #expect(!policy.isExpired(.voicemailAudio, createdAt: Self.received, at: day(89)))
        #expect(!policy.isExpired(.voicemailAudio, createdAt: Self.received, at: day(90).addingTimeInterval(-1)))
        #expect(policy.isExpired(.voicemailAudio, createdAt: Self.received, at: day(90)))
        #expect(policy.isExpired(.voicemailAudio, createdAt: Self.received, at: day(91)))
        #expect(!policy.isExpired(.callMetadata, createdAt: Self.received, at: day(91)), "call metadata is kept a year")
    }

    @Test("An organisation may choose among the allowed periods; anything else is refused with the choices and changes nothing")
    func choices() throws {
        var policy = RetentionPolicy()
        try policy.set(.voicemailAudio, to: 30)
        #expect(policy.isExpired(.voicemailAudio, createdAt: Self.received, at: day(30)))
        try policy.set(.transcripts, to: 7)
        try policy.set(.transcripts, to: 365)

        let refusal = #expect(throws: RetentionError.self) { try policy.set(.voicemailAudio, to: 100) }
        #expect(refusal?.description == "voicemail_audio cannot be kept 100 days; choose 30, 90, 180 or 365 days")
        #expect(policy[.voicemailAudio] == 30, "unchanged")
        #expect(throws: RetentionError.self) { try policy.set(.transcripts, to: 6) }
        #expect(throws: RetentionError.self) { try policy.set(.transcripts, to: 366) }
        let fixed = #expect(throws: RetentionError.self) { try policy.set(.deliveryLogs, to: 365) }
        #expect(fixed?.description == "delivery_logs is kept 30 days on every box; it cannot be set to 365")
    }
}
