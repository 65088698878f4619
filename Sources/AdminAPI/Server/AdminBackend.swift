public import Foundation
import HTTPTypes
public import Logging
public import NIOPosix
import Synchronization
public import Uplink
public import Vault

/// What the routes share: the vault, the threads its blocking work runs on,
/// the sign-in back-off and the time. Vault calls (SQLite, Argon2id, file
/// reads) never run on the cooperative pool, where they would hold up calls'
/// media tasks on a 2-core box; they run on `threads`.
public final class AdminBackend: Sendable {
    public let vault: Vault
    let threads: NIOThreadPool
    let now: @Sendable () -> Date
    let logger: Logger
    let throttle: Mutex<SignInThrottle>
    private let signInsInFlight = Mutex(0)
    private let decodesInFlight = Mutex(0)
    private let uploadsInFlight = Mutex(0)
    private let exportsInFlight = Mutex(0)
    private let chain = Mutex<(Date, AuditVerification)?>(nil)
    private let recentReads = Mutex<[String: Date]>([:])

    /// A read of personal data is audited once per reader and thing read in this
    /// long: a player's range requests, or a page reloaded, are one entry.
    static let readAuditWindow: TimeInterval = 10 * 60

    /// Argon2id checks at once (19 MiB and most of a core each): the rest wait with 429.
    static let maximumConcurrentSignIns = 2
    /// Messages decoded to WAV at once (a long one is tens of MB of PCM).
    static let maximumConcurrentDecodes = 1

    /// What `uplink.residency` allows a sub-processor to be registered in.
    let residency: ResidencyPolicy

    public init(vault: Vault, residency: ResidencyPolicy = .eu, threads: NIOThreadPool = .singleton, now: @escaping @Sendable () -> Date = { Date() },
                logger: Logger, signInPolicy: SignInThrottle.Policy = .init()) {
        self.vault = vault
        self.residency = residency
        self.threads = threads
        self.now = now
        self.logger = logger
        throttle = Mutex(SignInThrottle(policy: signInPolicy))
    }

    /// Runs blocking vault work off the cooperative pool. A vault error the
    /// client can act on becomes its problem; any other is logged and named.
    @discardableResult
    func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        do {
            return try await threads.runIfActive { try body() }
        } catch let error as VaultError {
            let problem = Problem.from(error)
            if problem.status == .internalServerError { logger.error("admin API: \(error)") }
            throw problem
        }
    }

    func startSignIn() -> Bool { take(signInsInFlight, limit: Self.maximumConcurrentSignIns) }
    func endSignIn() { signInsInFlight.withLock { $0 -= 1 } }
    func startDecode() -> Bool { take(decodesInFlight, limit: Self.maximumConcurrentDecodes) }
    /// A greeting upload (read, decoded, encoded): one at a time, apart from playback's decodes.
    func startUpload() -> Bool { take(uploadsInFlight, limit: 1) }
    func endUpload() { uploadsInFlight.withLock { $0 -= 1 } }
    /// A person's export (built whole in memory): one at a time.
    func startExport() -> Bool { take(exportsInFlight, limit: 1) }
    func endExport() { exportsInFlight.withLock { $0 -= 1 } }
    func endDecode() { decodesInFlight.withLock { $0 -= 1 } }

    private func take(_ counter: borrowing Mutex<Int>, limit: Int) -> Bool {
        counter.withLock { count in
            guard count < limit else { return false }
            count += 1
            return true
        }
    }

    /// Audits `event` unless the same actor's same read was audited within
    /// ``readAuditWindow``. At most 10,000 reads are remembered.
    func auditRead(_ event: AuditEvent, of key: String, in tenant: TenantVault) throws {
        let now = self.now()
        let id = event.actor + "\u{0}" + event.action + "\u{0}" + key
        let due = recentReads.withLock { reads -> Bool in
            if let last = reads[id], now.timeIntervalSince(last) < Self.readAuditWindow, now >= last { return false }
            if reads.count >= 10_000 { reads = reads.filter { now.timeIntervalSince($0.value) < Self.readAuditWindow } }
            if reads.count >= 10_000 { reads.removeAll() }
            reads[id] = now
            return true
        }
        if due { try tenant.audit(event) }
    }

    /// The audit chain's state, walked at most once a minute however often it is
    /// asked for: the walk reads the whole box's log.
    func chainVerification() throws(VaultError) -> AuditVerification {
        let now = self.now()
        if let (at, verification) = chain.withLock({ $0 }), now.timeIntervalSince(at) < 60, now >= at { return verification }
        let verification = try vault.verifyAuditChain()
        chain.withLock { $0 = (now, verification) }
        return verification
    }

    /// The caller's organisation: every route reaches data only through it.
    func tenant(_ principal: AdminPrincipal) throws -> TenantVault {
        try vault.tenant(principal.tenantID)
    }
}
