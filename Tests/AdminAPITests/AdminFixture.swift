import AdminAPI
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import HushboxTestSupport
import Logging
import Media
import NIOCore
import Synchronization
import Testing
import Vault

/// Wall time a test moves by hand: the vault's clock and the API's.
final class VirtualTime: Sendable {
    private let current: Mutex<Date>
    init(_ start: Date) { current = Mutex(start) }
    var now: Date { current.withLock { $0 } }
    func advance(_ seconds: TimeInterval) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }
    func set(_ instant: Date) { current.withLock { $0 = instant } }
}

/// A real vault with two organisations, each with a mailbox holding one real
/// Ogg Opus message and a user and an API key for every role, served by the
/// admin API's router.
struct AdminFixture {
    static let password = "correct horse battery staple"
    /// How long each stored message is.
    static let seconds = 8
    let directory: TemporaryDirectory
    let time: VirtualTime
    let vault: Vault
    let backend: AdminBackend
    let own: Organisation
    let other: Organisation

    struct Organisation {
        let tenant: TenantVault
        let mailbox: Mailbox
        let message: Voicemail
        /// The message's Ogg Opus bytes as recorded.
        let audio: [UInt8]
        let users: [User.Role: User]
        let keys: [User.Role: NewAPIKey]
    }

    /// - Parameter passwords: give the owner and the admin of the first
    ///   organisation a password (Argon2id work only the sign-in tests need).
    init(passwords: Bool = false, signInPolicy: SignInThrottle.Policy = .init()) throws {
        directory = try TemporaryDirectory()
        let time = VirtualTime(Date(timeIntervalSince1970: 1_796_000_000))
        self.time = time
        vault = try Vault.open(directory: directory.child("vault"), deviceKEK: DeviceKEK.generate().kek, now: { time.now }, logger: Logger(label: "test"))
        backend = AdminBackend(vault: vault, now: { time.now }, logger: Logger(label: "test"), signInPolicy: signInPolicy)
        own = try Self.organisation("Praxis Dr. Weber", domain: "praxis.example", caller: "+49 30 5551234", passwords: passwords, vault: vault)
        other = try Self.organisation("Kanzlei Roth", domain: "kanzlei.example", caller: "+43 1 5557788", passwords: false, vault: vault)
    }

    static func organisation(_ name: String, domain: String, caller: String, passwords: Bool, vault: Vault) throws -> Organisation {
        let tenant = try vault.createTenant(name: name)
        let mailbox = Mailbox(number: try PhoneNumber("+49 30 5550000"), displayName: "Empfang")
        try tenant.insert(mailbox)
        var users: [User.Role: User] = [:]
        var keys: [User.Role: NewAPIKey] = [:]
        for role in User.Role.allCases {
            let signsIn = passwords && (role == .owner || role == .admin)
            let user = try tenant.createUser(email: "\(role.rawValue)@\(domain)", displayName: nil, role: role, password: signsIn ? password : nil, actor: "test")
            users[role] = user
            keys[role] = try tenant.createAPIKey(label: role.rawValue, userID: user.id, role: role, actor: "test")
        }
        let audio = try Self.recording.get()
        let message = try store(audio, from: caller, in: tenant, mailbox: mailbox, at: vault)
        return Organisation(tenant: tenant, mailbox: mailbox, message: message, audio: audio, users: users, keys: keys)
    }

    /// A message stored the way a call stores one: sealed in 4 KiB chunks, under consent.
    static func store(_ audio: [UInt8], from number: String, in tenant: TenantVault, mailbox: Mailbox, at vault: Vault) throws -> Voicemail {
        let caller = try PhoneNumber(number)
        let subject = try tenant.subject(for: caller)
        var call = Call(mailboxID: mailbox.id, direction: .inbound, startedAt: Date(timeIntervalSince1970: 1_796_000_000), counterparty: caller, subjectID: subject)
        try tenant.insert(call)
        let (voicemail, writer) = try tenant.beginRecording(
            call: call.id, mailboxID: mailbox.id, chunkSize: 4096, consent: Consent(kind: .priorExpress, language: "de", promptVersion: "v1")
        )
        try writer.write(audio)
        call.endedAt = call.startedAt.addingTimeInterval(5)
        call.outcome = .recorded
        try tenant.completeCall(call, consent: nil, recording: .keep(voicemail, writer, duration: .seconds(seconds)), outboxDestinations: [], actor: "test")
        return voicemail
    }

    /// One recording, encoded once for every fixture.
    static let recording = Result { try speech(seconds: seconds) }

    /// `seconds` of a 300 Hz tone with a slow tremolo, encoded as a call records it.
    static func speech(seconds: Int) throws -> [UInt8] {
        let recorder = try OggOpusRecorder(sink: Collected())
        let samples = (0..<(16_000 * seconds)).map { index in
            let t = Double(index) / 16_000
            return Int16(9_000 * sin(2 * .pi * 300 * t) * (0.6 + 0.4 * sin(2 * .pi * 3 * t)))
        }
        try recorder.write(samples)
        try recorder.finish()
        return recorder.sink.bytes
    }

    struct Collected: RecordingSink {
        var bytes: [UInt8] = []
        mutating func write(_ bytes: [UInt8]) throws { self.bytes += bytes }
    }

    func application() -> some ApplicationProtocol {
        Application(router: AdminRoutes.router(backend: backend))
    }

    static func bearer(_ token: String) -> HTTPFields {
        [.authorization: "Bearer \(token)"]
    }

    static func json(_ object: [String: any Sendable]) throws -> ByteBuffer {
        ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: object))
    }

    static let jsonHeaders: HTTPFields = [.contentType: "application/json"]

    static func object(_ response: TestResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
    }

    /// The actions of an organisation's audit log, oldest first.
    static func actions(_ tenant: TenantVault) throws -> [String] {
        try tenant.auditEntries().map(\.action)
    }
}
