import Foundation
import HushboxTestSupport
import Logging
import Synchronization
import Vault

/// A fresh vault with one organisation and its mailbox "100", in a private
/// directory: where the voicemail tests' calls and messages go. Every fsync
/// of a sealed object passes `card`, which a test can slow down or stall.
enum MailboxVault {
    static func make(card: StorageCard? = nil) throws -> (directory: TemporaryDirectory, vault: Vault, tenant: TenantVault, mailbox: Mailbox) {
        let directory = try TemporaryDirectory()
        let beforeEachSync: (@Sendable () -> Void)? = card.map { card in { @Sendable in card.sync() } }
        let vault = try Vault.open(
            directory: directory.child("vault"), deviceKEK: DeviceKEK.generate().kek, logger: Logger(label: "test"),
            beforeEachObjectSync: beforeEachSync
        )
        let tenant = try vault.createTenant(name: "Test")
        let mailbox = Mailbox(sipUser: "100")
        try tenant.insert(mailbox)
        return (directory, vault, tenant, mailbox)
    }
}

/// The SD card as the vault's object files see it: as fast as the disk, or
/// slowed by a delay per fsync, or stalled until the test opens it again.
final class StorageCard: Sendable {
    private let state = Mutex((stalled: false, delay: Duration.zero, syncs: 0))

    /// Every fsync from now on waits until ``resume()``.
    func stall() { state.withLock { $0.stalled = true } }
    func resume() { state.withLock { $0.stalled = false } }
    /// Every fsync from now on takes this long (real time).
    func slow(by delay: Duration) { state.withLock { $0.delay = delay } }

    /// The fsyncs that got through.
    var syncs: Int { state.withLock { $0.syncs } }

    /// Called (on the storage thread) before each fsync of an object file.
    func sync() {
        while state.withLock({ $0.stalled }) { usleep(1_000) }
        let delay = state.withLock { $0.delay }
        if delay > .zero { usleep(UInt32(delay / .microseconds(1))) }
        state.withLock { $0.syncs += 1 }
    }
}
