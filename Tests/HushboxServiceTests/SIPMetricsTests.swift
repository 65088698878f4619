import MetricsTestKit
import Foundation
import Media
import SIPStack
import Synchronization
import Testing
import Vault
import Voicemail

@testable import HushboxService

/// The SIP edge's counters as /metrics shows them: an operator sees a flood of
/// strangers, refusals by reason and the connections, and a counter never
/// counts the same message twice however often it is read.
@Suite("SIP metrics")
struct SIPMetricsTests {
    @Test("each counter grows by what the core counted since the last look; the open connections are a gauge")
    func growthSinceLastLook() throws {
        let metrics = TestMetrics()
        let sip = SIPMetrics(factory: metrics)
        var core = SignallingCounters()
        var transport = SIPTransportCounters()
        core.messagesReceived = 10_000
        core.droppedUnknownSource = 9_990
        core.refusedAuthenticationLocked = 3
        transport.connectionsRefused = 2_000
        transport.connectionsOpen = 5
        var seen = sip.record(core: core, transport: transport, since: SIPMetrics.Seen())
        // Read again with nothing new: nothing is counted twice.
        seen = sip.record(core: core, transport: transport, since: seen)
        core.droppedUnknownSource += 10
        core.callsOffered = 1
        transport.inboundDropped = 7
        transport.connectionsOpen = 1
        _ = sip.record(core: core, transport: transport, since: seen)

        #expect(try metrics.expectCounter(SIPMetrics.droppedLabel, [("reason", "unknown_source")]).totalValue == 10_000)
        #expect(try metrics.expectCounter(SIPMetrics.droppedLabel, [("reason", "queue_full")]).totalValue == 7)
        #expect(try metrics.expectCounter(SIPMetrics.receivedLabel).totalValue == 10_000)
        #expect(try metrics.expectCounter(SIPMetrics.refusedLabel, [("reason", "authentication_locked")]).totalValue == 3)
        #expect(try metrics.expectCounter(SIPMetrics.connectionsRefusedLabel).totalValue == 2_000)
        #expect(try metrics.expectCounter(SIPMetrics.callsLabel, [("stage", "offered")]).totalValue == 1)
        #expect(try metrics.expectGauge(SIPMetrics.connectionsOpenLabel).lastValue == 1)
    }
}

/// Calls' media drops as /metrics shows them, summed over calls as each ends.
@Suite("Media metrics")
struct MediaMetricsTests {
    @Test("each ended call's media counters are added by reason: a spray at the port range shows as outside_peer_sources")
    func summedOverCalls() throws {
        let metrics = TestMetrics()
        let media = MediaMetrics(factory: metrics)
        var first = InboundMedia.Counters()
        first.accepted = 1_500
        first.outsidePeerSources = 40
        first.failedAuthentication = 2
        var second = InboundMedia.Counters()
        second.accepted = 500
        second.outsidePeerSources = 2
        second.droppedQueueFull = 7
        media.record(first)
        media.record(second)
        #expect(try metrics.expectCounter(MediaMetrics.packetsLabel).totalValue == 2_000)
        #expect(try metrics.expectCounter(MediaMetrics.droppedLabel, [("reason", "outside_peer_sources")]).totalValue == 42)
        #expect(try metrics.expectCounter(MediaMetrics.droppedLabel, [("reason", "failed_authentication")]).totalValue == 2)
        #expect(try metrics.expectCounter(MediaMetrics.droppedLabel, [("reason", "queue_full")]).totalValue == 7)
    }

    @Test("each ended call is counted by outcome (one that could not start as failed); its jitter buffer's losses and late packets add up")
    func callOutcomesAndJitter() throws {
        let metrics = TestMetrics()
        let media = MediaMetrics(factory: metrics)
        media.recordEnded(.init(outcome: .recorded, consent: .notRequired, language: .english))
        media.recordEnded(.init(outcome: .recorded, consent: .given, language: .german))
        media.recordEnded(.init(outcome: .declinedConsent, consent: .declined, language: .german))
        media.recordEnded(nil)
        #expect(try metrics.expectCounter(MediaMetrics.callsEndedLabel, [("source", "sip"), ("outcome", "recorded")]).totalValue == 2)
        #expect(try metrics.expectCounter(MediaMetrics.callsEndedLabel, [("source", "sip"), ("outcome", "declined_consent")]).totalValue == 1)
        #expect(try metrics.expectCounter(MediaMetrics.callsEndedLabel, [("source", "sip"), ("outcome", "failed")]).totalValue == 1)
        #expect(try metrics.expectCounter(MediaMetrics.callsEndedLabel, [("source", "sip"), ("outcome", "mailbox_full")]).totalValue == 0)

        var jitter = JitterBuffer.Statistics()
        jitter.lost = 12
        jitter.late = 3
        var sockets = InboundMedia.Counters()
        sockets.accepted = 900
        sockets.failedAuthentication = 4
        media.record(RTPCallReport(sockets: sockets, jitter: jitter))
        media.record(RTPCallReport(sockets: sockets, jitter: jitter))
        #expect(try metrics.expectCounter(MediaMetrics.jitterLabel, [("event", "lost_concealed")]).totalValue == 24)
        #expect(try metrics.expectCounter(MediaMetrics.jitterLabel, [("event", "late")]).totalValue == 6)
        #expect(try metrics.expectCounter(MediaMetrics.droppedLabel, [("reason", "failed_authentication")]).totalValue == 8)
        #expect(try metrics.expectCounter(MediaMetrics.packetsLabel).totalValue == 1_800)
    }

    @Test("the calls' recording queues show as gauges: what waits for the card, and drained, nothing")
    func recordingQueue() async throws {
        let metrics = TestMetrics()
        let media = MediaMetrics(factory: metrics)
        let backlog = RecordingStorage.Backlog()
        let storage = RecordingStorage(byteLimit: 1_000, backlog: backlog)
        let gate = Mutex(false)
        // A job that holds the queue until the test lets it go, then bytes behind it (there is no message: they are dropped).
        let held = Task { try await storage.perform { () throws(VaultError) in while !gate.withLock({ $0 }) { usleep(1_000) } } }
        while backlog.queuedJobs == 0 { try await Task.sleep(for: .milliseconds(1)) }
        storage.write([UInt8](repeating: 1, count: 1_500))
        media.record(backlog, callsActive: 3)
        #expect(try metrics.expectGauge(CallMetrics.activeLabel, [("source", "sip")]).lastValue == 3)
        #expect(try metrics.expectGauge(MediaMetrics.recordingQueueBytesLabel).lastValue == 1_500)
        #expect(try metrics.expectGauge(MediaMetrics.recordingQueueJobsLabel).lastValue == 2)
        #expect(storage.isBehind, "1,500 bytes waiting is over its 1,000")
        gate.withLock { $0 = true }
        try await held.value
        try await storage.perform { () throws(VaultError) in }
        media.record(backlog, callsActive: 0)
        #expect(try metrics.expectGauge(MediaMetrics.recordingQueueBytesLabel).lastValue == 0)
        #expect(try metrics.expectGauge(MediaMetrics.recordingQueueJobsLabel).lastValue == 0)
    }
}
