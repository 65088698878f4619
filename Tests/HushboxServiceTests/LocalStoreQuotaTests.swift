import Foundation
import HushboxTestSupport
import Logging
import MetricsTestKit
import Testing

@testable import HushboxService

/// The bounded local store: what a technician configures, and when callers are
/// turned away with the mailbox-full prompt rather than anything being dropped.
@Suite("Local store quota")
struct LocalStoreQuotaTests {
    let directory: TemporaryDirectory
    let metrics = TestMetrics()

    init() throws {
        directory = try TemporaryDirectory()
    }

    func fill(_ name: String, bytes: Int) throws {
        #expect(FileManager.default.createFile(atPath: directory.child(name), contents: Data(count: bytes)))
    }

    @Test("Under the quota a message is recorded; at it the caller is refused, counted and shown; with room again, recorded")
    func quota() throws {
        let quota = LocalStoreQuota(directory: directory.path, quotaBytes: 100_000, freshness: .zero, logger: Logger(label: "test"), metricsFactory: metrics, freeSpace: { _ in 1 << 40 })
        try FileManager.default.createDirectory(atPath: directory.child("objects"), withIntermediateDirectories: true)
        try fill("objects/a", bytes: 60_000)
        #expect(quota.admitsRecording())
        #expect(try metrics.expectGauge(LocalStoreQuota.usedLabel).lastValue == 60_000)
        #expect(try metrics.expectGauge(LocalStoreQuota.fullLabel).lastValue == 0)
        #expect(try metrics.expectGauge(LocalStoreQuota.quotaLabel).lastValue == 100_000)

        try fill("objects/b", bytes: 40_000)
        #expect(!quota.admitsRecording(), "100,000 bytes is the quota: full")
        #expect(quota.measure().fullBecause?.contains("storage.quota") == true)
        #expect(try metrics.expectGauge(LocalStoreQuota.fullLabel).lastValue == 1)
        #expect(try metrics.expectCounter(LocalStoreQuota.refusedLabel).totalValue == 1)

        try FileManager.default.removeItem(atPath: directory.child("objects/b"))
        #expect(quota.admitsRecording())
        #expect(try metrics.expectGauge(LocalStoreQuota.fullLabel).lastValue == 0)

        // Within its freshness a measurement answers the calls of a burst without walking the store again.
        let patient = LocalStoreQuota(directory: directory.path, quotaBytes: 100_000, logger: Logger(label: "test"), metricsFactory: metrics)
        #expect(patient.admitsRecording())
        try fill("objects/c", bytes: 60_000)
        #expect(patient.admitsRecording(), "measured a moment ago: room")
        #expect(!LocalStoreQuota(directory: directory.path, quotaBytes: 100_000, logger: Logger(label: "test"), metricsFactory: metrics).admitsRecording())
    }

    @Test("Without a quota, a disk with less than the reserve free refuses new messages")
    func reserve() throws {
        let quota = LocalStoreQuota(directory: directory.path, quotaBytes: nil, logger: Logger(label: "test"), metricsFactory: metrics, freeSpace: { _ in 10 << 20 })
        #expect(!quota.admitsRecording())
        #expect(quota.measure().fullBecause?.contains("reserve") == true)
        let roomy = LocalStoreQuota(directory: directory.path, quotaBytes: nil, logger: Logger(label: "test"), metricsFactory: metrics)
        #expect(roomy.admitsRecording(), "this machine's own disk has more than 64 MiB free")
    }

    @Test("storage.quota takes sizes with units, and refuses what is not one, naming the key")
    func configuration() async throws {
        let file = try ConfigurationFile()
        #expect(try await file.load("storage:\n  quota: 2GiB\n").storage.quotaBytes == 2 << 30)
        #expect(try await file.load("storage:\n  quota: 500MB\n").storage.quotaBytes == 500_000_000)
        #expect(try await file.load("{}\n", environment: ["HUSHBOX_STORAGE_QUOTA": "1048576"]).storage.quotaBytes == 1 << 20)
        #expect(try await file.load("{}\n").storage.quotaBytes == nil)
        let refusal = try #require(await file.refusal("storage:\n  quota: lots\n"))
        #expect(refusal.contains("storage.quota") && refusal.contains("512MiB"), "\(refusal)")
        #expect(await file.refusal("storage:\n  quota: 0\n") != nil)
    }
}
