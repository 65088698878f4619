import HushboxTestSupport
import Media
import Testing

/// The jitter buffer on virtual time: arrivals and pulls are durations, no sleeping.
@Suite("Jitter buffer")
struct JitterBufferTests {
    static let settings = JitterBuffer.Settings(clockRate: 8_000)
    static let frame = Duration.milliseconds(20)

    /// Feeds `arrivals` (sequence → arrival time) and pulls every 20 ms until `end`, returning what played.
    static func run(
        _ arrivals: [(sequence: UInt16, arrival: Duration)], ssrc: (UInt16) -> UInt32 = { _ in 0x1234 }, until end: Duration,
        buffer: inout JitterBuffer
    ) -> [JitterBuffer.Playout] {
        var pending = arrivals.sorted { $0.arrival < $1.arrival }
        var played: [JitterBuffer.Playout] = []
        var now = Duration.zero
        while now <= end {
            while let first = pending.first, first.arrival <= now {
                pending.removeFirst()
                let timestamp = UInt32(truncatingIfNeeded: Int(first.sequence) * 160)
                buffer.insert(sequence: first.sequence, timestamp: timestamp, ssrc: ssrc(first.sequence), payload: [UInt8(truncatingIfNeeded: first.sequence)], arrival: first.arrival)
            }
            let result = buffer.pull(at: now)
            if result != .waiting { played.append(result) }
            now += frame
        }
        return played
    }

    static func sequences(_ playout: [JitterBuffer.Playout]) -> [String] {
        playout.map {
            switch $0 {
            case .frame(let sequence, _): "\(sequence)"
            case .lost(let sequence, _): "lost \(sequence)"
            case .waiting: "waiting"
            }
        }
    }

    @Test("A steady stream plays in order at the minimum delay, nothing lost")
    func steady() {
        var buffer = JitterBuffer(settings: Self.settings)
        let arrivals: [(sequence: UInt16, arrival: Duration)] = (0..<50).map { (UInt16($0), Self.frame * $0) }
        let played = Self.run(arrivals, until: .seconds(2), buffer: &buffer)
        #expect(Self.sequences(played) == (0..<50).map { "\($0)" } + (0..<5).map { "lost \($0 + 50)" })
        #expect(buffer.targetDelay == .milliseconds(20))
        #expect(buffer.statistics.late == 0)
    }

    @Test("Reordered packets within the delay come out in order; a missing one is reported lost for concealment")
    func reorderAndLoss() {
        var buffer = JitterBuffer(settings: Self.settings)
        var arrivals: [(sequence: UInt16, arrival: Duration)] = (0..<20).filter { $0 != 7 }.map { (UInt16($0), Self.frame * $0) }
        // 4 and 5 swap places, 10 ms apart.
        arrivals[4].arrival = .milliseconds(95)
        arrivals[5].arrival = .milliseconds(85)
        let played = Self.sequences(Self.run(arrivals, until: .milliseconds(420), buffer: &buffer))
        #expect(played.prefix(10) == ["0", "1", "2", "3", "4", "5", "6", "lost 7", "8", "9"])
        #expect(played.prefix(20).filter { $0.hasPrefix("lost") } == ["lost 7"], "only the missing packet; the stream's end is concealed after 19")
    }

    @Test("A packet that arrives after its turn is dropped and counted late")
    func latePacket() {
        var buffer = JitterBuffer(settings: Self.settings)
        var arrivals: [(sequence: UInt16, arrival: Duration)] = (0..<10).map { (UInt16($0), Self.frame * $0) }
        arrivals[3].arrival = .milliseconds(200)
        let played = Self.sequences(Self.run(arrivals, until: .milliseconds(260), buffer: &buffer))
        #expect(played.prefix(5) == ["0", "1", "2", "lost 3", "4"])
        #expect(buffer.statistics.late == 1)
    }

    @Test("The sequence number wraps from 65535 to 0 without a hiccup")
    func sequenceWrap() {
        var buffer = JitterBuffer(settings: Self.settings)
        let arrivals: [(sequence: UInt16, arrival: Duration)] = (0..<6).map { (UInt16(truncatingIfNeeded: 65_533 + $0), Self.frame * $0) }
        let played = Self.sequences(Self.run(arrivals, until: .milliseconds(140), buffer: &buffer))
        #expect(played.prefix(6) == ["65533", "65534", "65535", "0", "1", "2"])
    }

    @Test("A new SSRC and a far jump in sequence restart the stream instead of reporting thousands of losses")
    func restarts() {
        var buffer = JitterBuffer(settings: Self.settings)
        let before: [(sequence: UInt16, arrival: Duration)] = (0..<5).map { (UInt16($0), Self.frame * $0) }
        let after: [(sequence: UInt16, arrival: Duration)] = (0..<5).map { (UInt16(5_000 + $0), Self.frame * (5 + $0)) }
        let arrivals = before + after
        let played = Self.sequences(Self.run(arrivals, until: .milliseconds(300), buffer: &buffer))
        #expect(buffer.statistics.lost < 10)
        #expect(played.contains("5004"))
        #expect(buffer.statistics.restarts == 1)

        var other = JitterBuffer(settings: Self.settings)
        let first: [(sequence: UInt16, arrival: Duration)] = (0..<3).map { (UInt16($0 + 100), Self.frame * $0) }
        let switched = Self.run(first, ssrc: { _ in 0 }, until: .milliseconds(60), buffer: &other)
        #expect(!switched.isEmpty)
        other.insert(sequence: 9, timestamp: 0, ssrc: 0xBEEF, payload: [9], arrival: .milliseconds(300))
        #expect(other.statistics.restarts == 1)
        #expect(other.pull(at: .milliseconds(330)) == .frame(sequence: 9, payload: [9]))
    }

    @Test("The delay adapts to jitter within 20–200 ms, and back down when the network calms")
    func adaptiveDelay() {
        var buffer = JitterBuffer(settings: Self.settings)
        var generator = SeededGenerator(seed: 7)
        let jittery = (0..<200).map { index -> (sequence: UInt16, arrival: Duration) in
            (UInt16(index), Self.frame * index + .milliseconds(Int64(generator.next() % 60)))
        }
        let played = Self.run(jittery, until: .seconds(5), buffer: &buffer)
        #expect(buffer.targetDelay > .milliseconds(60), "delay \(buffer.targetDelay)")
        #expect(buffer.targetDelay <= .milliseconds(200))
        let frames = played.filter { if case .frame = $0 { true } else { false } }.count
        #expect(frames > 150, "most of a jittery stream still plays: \(frames)")

        var calming = JitterBuffer(settings: Self.settings)
        let rough = (0..<100).map { index -> (sequence: UInt16, arrival: Duration) in
            (UInt16(index), Self.frame * index + .milliseconds(Int64(generator.next() % 60)))
        }
        let calm = (100..<400).map { index -> (sequence: UInt16, arrival: Duration) in (UInt16(index), Self.frame * index + .milliseconds(60)) }
        _ = Self.run(rough + calm, until: .seconds(9), buffer: &calming)
        #expect(calming.targetDelay < .milliseconds(30), "back down after calm: \(calming.targetDelay)")

        var wild = JitterBuffer(settings: Self.settings)
        let extreme = (0..<100).map { index -> (sequence: UInt16, arrival: Duration) in (UInt16(index), Self.frame * index + .milliseconds(Int64(generator.next() % 900))) }
        _ = Self.run(extreme, until: .seconds(4), buffer: &wild)
        #expect(wild.targetDelay == .milliseconds(200), "capped at the maximum")
    }
}
