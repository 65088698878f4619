public import Foundation
import HTTPTypes
public import Logging
public import NIOPosix
import Synchronization
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

    public init(vault: Vault, threads: NIOThreadPool = .singleton, now: @escaping @Sendable () -> Date = { Date() }, logger: Logger,
                signInPolicy: SignInThrottle.Policy = .init()) {
        self.vault = vault
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

    /// The caller's organisation: every route reaches data only through it.
    func tenant(_ principal: AdminPrincipal) throws -> TenantVault {
        try vault.tenant(principal.tenantID)
    }
}
