import Foundation
import HushboxTestSupport
import Logging
import Synchronization
import Testing
import Vault

/// Wall time a test sets: the vault's clock and the purge's reference.
final class VirtualTime: Sendable {
    private let current: Mutex<Date>

    init(_ start: Date) { current = Mutex(start) }

    var now: Date { current.withLock { $0 } }

    func set(_ instant: Date) { current.withLock { $0 = instant } }
}

/// A real vault on a virtual wall clock, with one organisation and helpers
/// that store what a caller leaves: a call, its sealed audio and its message.
struct PurgeFixture {
    /// 2026-03-01 00:00:00 UTC: day 0 of the retention tests.
    static let dayZero = Date(timeIntervalSince1970: 1_772_323_200)

    let directory: TemporaryDirectory
    let kek: [UInt8]
    let time: VirtualTime
    let vault: Vault
    let tenant: TenantVault
    let mailbox: Mailbox

    init(start: Date = Self.dayZero) throws {
        directory = try TemporaryDirectory()
        kek = DeviceKEK.generate().bytes
        time = VirtualTime(start)
        let time = self.time
        vault = try Vault.open(directory: directory.child("vault"), deviceKEK: try DeviceKEK(bytes: kek), now: { time.now }, logger: Logger(label: "test"))
        tenant = try vault.createTenant(name: "Praxis Dr. Weber")
        mailbox = Mailbox(number: try PhoneNumber("+49 30 5550000"), displayName: "Empfang")
        try tenant.insert(mailbox)
    }

    /// The same vault opened again, as after a crash.
    func reopened() throws -> Vault {
        let time = self.time
        return try Vault.open(directory: directory.child("vault"), deviceKEK: try DeviceKEK(bytes: kek), now: { time.now }, logger: Logger(label: "test"))
    }

    func day(_ n: Double) -> Date { Self.dayZero.addingTimeInterval(n * 86_400) }

    /// What a caller left at `at`.
    struct Left {
        let call: Call
        let voicemail: Voicemail
        let objectID: String
        let subjectID: String
    }

    /// A caller's message at `instant`, through the path a real call takes
    /// (recording under consent, completion queuing it for `destinations`);
    /// leaves the clock at `instant`.
    @discardableResult
    func message(from number: String, at instant: Date, destinations: [String] = [], words: String = "Bitte rufen Sie mich zurück.") throws -> Left {
        time.set(instant)
        let caller = try PhoneNumber(number)
        let subject = try tenant.subject(for: caller)
        var call = Call(mailboxID: mailbox.id, direction: .inbound, startedAt: instant, counterparty: caller, subjectID: subject)
        try tenant.insert(call)
        let (voicemail, writer) = try tenant.beginRecording(
            call: call.id, mailboxID: mailbox.id, chunkSize: 1024, consent: Consent(kind: .priorExpress, language: "de", promptVersion: "v1")
        )
        try writer.write(Array(words.utf8) + Array(repeating: 0x55, count: 2_000))
        call.endedAt = instant.addingTimeInterval(20)
        call.outcome = .recorded
        try tenant.completeCall(call, consent: nil, recording: .keep(voicemail, writer, duration: .seconds(12)), outboxDestinations: destinations, actor: "test")
        try tenant.audit(AuditEvent(action: "voicemail.stored", actor: "system", subjectID: subject, details: ["caller": number]))
        return Left(call: call, voicemail: voicemail, objectID: try #require(voicemail.objectID), subjectID: subject)
    }

    func objectFile(_ objectID: String) -> String {
        directory.child("vault") + "/objects/\(tenant.tenantID)/\(objectID).hbx"
    }

    func objectFileExists(_ objectID: String) -> Bool {
        FileStatus.of(objectFile(objectID)) != nil
    }

    /// Whether the message's audio can still be read.
    func audible(_ left: Left) -> Bool {
        (try? tenant.openObject(left.objectID).readAll()) != nil
    }

    /// The vault's files (database, WAL, objects) that contain `needle`, by name.
    func filesContaining(_ needle: Data) throws -> [String] {
        let root = directory.child("vault")
        var found: [String] = []
        let enumerator = FileManager.default.enumerator(atPath: root)
        while let name = enumerator?.nextObject() as? String {
            let file = root + "/" + name
            guard FileStatus.of(file)?.type == .regular else { continue }
            if try Data(contentsOf: URL(fileURLWithPath: file)).range(of: needle) != nil { found.append(name) }
        }
        return found
    }

    /// The purge entries of the audit log, oldest first.
    func purgeEntries() throws -> [[String: String]] {
        try tenant.auditEntries().filter { $0.action == "retention.purged" }.map { entry in
            if case .readable(let details) = entry.details { return details }
            return [:]
        }
    }
}
