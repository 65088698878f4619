import Foundation
import HushboxTestSupport
import Synchronization
import Testing
import Uplink

/// The driver against scripted receivers on a virtual clock: outages of days,
/// Retry-After, a receiver that keeps less than it is sent.
@Suite("Upload driver: retries on a virtual clock")
struct UploadDriverTests {
    /// A receiver that stores what it is sent, in memory, unreachable until `downUntil`.
    final class ScriptedReceiver: Sendable {
        let stored = Mutex<[UInt8]>([])
        let requests = Mutex(0)
        let clock: SkippingClock
        let downUntil: Duration
        let busyAnswers: Mutex<[UploadSession.Response]>
        /// At most this many bytes of each chunk are kept (a receiver cut off mid-chunk).
        let keepPerChunk: Int

        init(clock: SkippingClock, downUntil: Duration = .zero, busy: [UploadSession.Response] = [], keepPerChunk: Int = .max) {
            self.clock = clock
            self.downUntil = downUntil
            busyAnswers = Mutex(busy)
            self.keepPerChunk = keepPerChunk
        }

        func answer(_ request: UploadSession.Request, payload: [UInt8]) -> UploadSession.Answer {
            requests.withLock { $0 += 1 }
            guard clock.now.offset >= downUntil else { return .unreachable }
            if let busy = busyAnswers.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) { return .response(busy) }
            switch request {
            case .create:
                return .response(.init(status: 201, upload: "/v1/uploads/u", offset: stored.withLock { $0.count }))
            case .probe:
                return .response(.init(status: 200, offset: stored.withLock { $0.count }))
            case .send(_, let offset, let length):
                return stored.withLock { stored -> UploadSession.Answer in
                    guard offset == stored.count else { return .response(.init(status: 409, offset: stored.count)) }
                    let kept = min(length, keepPerChunk)
                    stored += payload[offset..<offset + kept]
                    if kept < length { return .unreachable }
                    return stored.count == payload.count ? .response(.init(status: 201)) : .response(.init(status: 204, offset: stored.count))
                }
            }
        }
    }

    let payload = (0..<1_000_000).map { UInt8(truncatingIfNeeded: $0 &* 13) }

    func deliver(to receiver: ScriptedReceiver, clock: SkippingClock) async -> (UploadDriver.Outcome, [Duration]) {
        var session = UploadSession(entryID: "e1", length: payload.count)
        var generator = SeededGenerator(seed: 42)
        var waits: [Duration] = []
        let payload = self.payload
        let outcome = await UploadDriver.deliver(
            &session, perform: { request, _ in receiver.answer(request, payload: payload) }, schedule: RetrySchedule(), clock: clock,
            generator: &generator, onRetry: { _, wait in waits.append(wait) }
        )
        return (outcome, waits)
    }

    @Test("A receiver down for three days gets the object once it is back, within one longest wait of its return")
    func longOutage() async {
        let clock = SkippingClock()
        let receiver = ScriptedReceiver(clock: clock, downUntil: .seconds(3 * 86_400))
        let (outcome, waits) = await deliver(to: receiver, clock: clock)
        guard case .delivered = outcome else { Issue.record("\(outcome)"); return }
        #expect(receiver.stored.withLock { $0 } == payload, "byte-identical")
        #expect(clock.now.offset >= .seconds(3 * 86_400) && clock.now.offset <= .seconds(3 * 86_400 + 1800))
        #expect(waits.allSatisfy { $0 <= .seconds(1800) }, "no wait beyond 30 minutes")
        #expect(waits.count < 200, "\(waits.count) attempts over three days: backed off, not hammering")
    }

    @Test("429 and 503 with Retry-After are waited out at least as long as asked")
    func retryAfter() async {
        let clock = SkippingClock()
        let receiver = ScriptedReceiver(clock: clock, busy: [
            .init(status: 429, retryAfter: .seconds(600)), .init(status: 503, retryAfter: .seconds(120)), .init(status: 500),
        ])
        let (outcome, waits) = await deliver(to: receiver, clock: clock)
        guard case .delivered = outcome else { Issue.record("\(outcome)"); return }
        #expect(waits.count == 3)
        #expect(waits[0] >= .seconds(600) && waits[1] >= .seconds(120))
    }

    @Test("A receiver that keeps part of each chunk before the connection drops still ends with every byte, in order")
    func partialChunks() async {
        let clock = SkippingClock()
        let receiver = ScriptedReceiver(clock: clock, keepPerChunk: 100_000)
        let (outcome, _) = await deliver(to: receiver, clock: clock)
        guard case .delivered = outcome else { Issue.record("\(outcome)"); return }
        #expect(receiver.stored.withLock { $0 } == payload)
    }
}
