import Foundation
import Logging
internal import Metrics
import ServiceLifecycle
import Synchronization
internal import Vault

#if canImport(Glibc)
import Glibc
#endif

/// Keeps the box's local store bounded: the data directory (database, sealed
/// recordings, greetings, the uplink spool) may hold at most `storage.quota`,
/// and the disk under it keeps a reserve free. When either is reached, new
/// recordings are refused — callers hear the mailbox-full prompt — and an
/// operator is told (an error per refused caller, `hushbox_store_full`). Nothing
/// stored or queued is ever deleted here to make room.
final class LocalStoreQuota: Sendable {
    /// What the store holds and what its disk has left, at one moment.
    struct Measurement: Sendable, Hashable {
        var usedBytes: Int64
        var freeBytes: Int64?
        var quotaBytes: Int64?
        var reserveBytes: Int64

        /// Why nothing new may be recorded; nil while there is room.
        var fullBecause: String? {
            if let quotaBytes, usedBytes >= quotaBytes {
                return "the data directory holds \(Self.mebibytes(usedBytes)) of its \(Self.mebibytes(quotaBytes)) quota (storage.quota)"
            }
            if let freeBytes, freeBytes < reserveBytes {
                return "its disk has \(Self.mebibytes(freeBytes)) free, less than the \(Self.mebibytes(reserveBytes)) kept in reserve"
            }
            return nil
        }

        static func mebibytes(_ bytes: Int64) -> String {
            String(format: "%.1f MiB", Double(bytes) / 1_048_576)
        }
    }

    static let defaultReserve: Int64 = 64 << 20
    static let usedLabel = "hushbox_store_used_bytes"
    static let quotaLabel = "hushbox_store_quota_bytes"
    static let fullLabel = "hushbox_store_full"
    static let refusedLabel = "hushbox_store_refused_recordings_total"

    let directory: String
    let quotaBytes: Int64?
    let reserveBytes: Int64
    private let freeSpace: @Sendable (String) -> Int64?
    private let logger: Logger
    private let used: Gauge
    private let full: Gauge
    private let refused: Counter
    /// How old a measurement may be when a call asks: walking a large store on
    /// every call of a burst would hold up the dispatcher for nothing.
    private let freshness: Duration
    private let last = Mutex<(at: ContinuousClock.Instant, measurement: Measurement)?>(nil)

    /// - Parameter freeSpace: bytes an unprivileged writer may still use on the disk holding a path; statvfs(3) by default.
    init(
        directory: String, quotaBytes: Int64?, reserveBytes: Int64 = LocalStoreQuota.defaultReserve, freshness: Duration = .seconds(5), logger: Logger,
        metricsFactory: any MetricsFactory = MetricsSystem.factory, freeSpace: @escaping @Sendable (String) -> Int64? = LocalStoreQuota.statvfsFree
    ) {
        self.freshness = freshness
        self.directory = directory
        self.quotaBytes = quotaBytes
        self.reserveBytes = reserveBytes
        self.freeSpace = freeSpace
        self.logger = logger
        used = Gauge(label: Self.usedLabel, factory: metricsFactory)
        full = Gauge(label: Self.fullLabel, factory: metricsFactory)
        refused = Counter(label: Self.refusedLabel, factory: metricsFactory)
        if let quotaBytes { Gauge(label: Self.quotaLabel, factory: metricsFactory).record(quotaBytes) }
    }

    /// Measures now, updates the gauges, and says when the store became full or has room again.
    @discardableResult
    func measure() -> Measurement {
        let measurement = Measurement(usedBytes: Self.bytesUsed(under: directory), freeBytes: freeSpace(directory), quotaBytes: quotaBytes, reserveBytes: reserveBytes)
        used.record(measurement.usedBytes)
        let reason = measurement.fullBecause
        full.record(reason == nil ? 0 : 1)
        let before = last.withLock { last in
            defer { last = (ContinuousClock.now, measurement) }
            return last?.measurement.fullBecause != nil
        }
        if let reason, !before {
            logger.error("the local store is full: new messages are refused until there is room; undelivered ones are kept", metadata: ["why": "\(reason)"])
        } else if reason == nil, before {
            logger.notice("the local store has room again: messages are recorded")
        }
        return measurement
    }

    /// Whether a new message may be recorded now; a refusal is logged at error and counted.
    func admitsRecording() -> Bool {
        let recent = last.withLock { last in last.flatMap { ContinuousClock.now - $0.at < freshness ? $0.measurement : nil } }
        guard let reason = (recent ?? measure()).fullBecause else { return true }
        refused.increment()
        logger.error(
            "a caller was refused: the local store is full; deliver, export or delete messages, or raise storage.quota", metadata: ["why": "\(reason)"]
        )
        return false
    }

    /// The bytes of the files under `path` (their lengths; directories and links count nothing).
    static func bytesUsed(under path: String) -> Int64 {
        guard let names = FileManager.default.enumerator(atPath: path) else { return 0 }
        var total: Int64 = 0
        while let name = names.nextObject() as? String {
            if let status = FileStatus.of(path + "/" + name), status.type == .regular {
                total += Int64(status.size)
            }
        }
        return total
    }

    static let statvfsFree: @Sendable (String) -> Int64? = { path in
        var system = statvfs()
        guard statvfs(path, &system) == 0 else { return nil }
        return Int64(system.f_bavail) * Int64(system.f_frsize)
    }
}

extension LocalStoreQuota: Service {
    /// Keeps the figures current between calls, so a filling disk shows before a caller meets it.
    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                self.measure()
                try? await Task.sleep(for: .seconds(60))
            }
        }
    }
}
