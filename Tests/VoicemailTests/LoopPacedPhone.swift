import Media
import NIOCore
import Synchronization

/// A phone on loopback for a call in real time, paced by its media session's
/// event loop rather than by a task sleeping on the cooperative pool. Under
/// the parallel test run other suites' blocking work (fsyncs, key derivation)
/// can hold that pool for a second; a phone paced there then sends a second of
/// audio in one burst, which is a bad network (the box's jitter buffer keeps
/// 240 ms of a burst, as it should), not what a real-time test is about.
/// What the phone hears is stamped on the same loop, as it arrives.
final class LoopPacedPhone: Sendable {
    /// One packet to send in a frame's turn: audio, or a telephone event with its payload type.
    struct Packet: Sendable {
        var payload: [UInt8]
        var duration: UInt32
        var payloadType: UInt8?
        var marker = false
    }

    let session: MediaSession<ContinuousClock>
    private let arrivals = Mutex<[ContinuousClock.Instant]>([])

    init(_ session: MediaSession<ContinuousClock>) {
        self.session = session
    }

    /// When each packet the phone heard arrived, in order.
    var heard: [ContinuousClock.Instant] { arrivals.withLock { $0 } }

    /// Listens until the session stops, stamping each packet heard.
    func listen() async {
        await session.run { [self] event in
            if case .packet = event { self.arrivals.withLock { $0.append(.now) } }
        }
    }

    /// Sends frame n's packets at the start plus 20 ms × n, until `stop(n)`
    /// says so before frame n; returns the number of frames sent.
    func speak(
        until stop: @escaping @Sendable (_ frame: Int) -> Bool,
        packets: @escaping @Sendable (_ frame: Int) -> [Packet]
    ) async throws -> Int {
        let (session, loop) = (session, session.eventLoop)
        let finished = loop.makePromise(of: Int.self)
        let start = NIODeadline.now()
        @Sendable func turn(_ frame: Int) {
            guard !stop(frame) else { return finished.succeed(frame) }
            let batch = packets(frame)
            do {
                try session.assumeIsolated { session in
                    for packet in batch {
                        try session.send(payload: packet.payload, duration: packet.duration, marker: packet.marker, payloadType: packet.payloadType)
                    }
                }
            } catch {
                return finished.fail(error)
            }
            loop.scheduleTask(deadline: start + .milliseconds(Int64(20 * (frame + 1)))) { turn(frame + 1) }
        }
        loop.execute { turn(0) }
        return try await finished.futureResult.get()
    }
}
