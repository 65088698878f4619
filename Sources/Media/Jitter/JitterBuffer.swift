/// An adaptive jitter buffer for one incoming audio stream, as a value: packets
/// go in with their arrival time, one frame comes out per `pull` (every frame
/// duration, on the media task's injected clock). It reorders, drops packets
/// that arrive after their turn, survives sequence wrap, restarts on a new
/// SSRC or a jump, and sets its delay from the RFC 3550 §6.4.1 interarrival
/// jitter, between the configured minimum and maximum (20–200 ms).
public struct JitterBuffer: Sendable {
    public struct Settings: Sendable, Hashable {
        public var clockRate: Int
        public var frameDuration: Duration
        public var minimumDelay: Duration
        public var maximumDelay: Duration
        /// Missing frames concealed in a row before the buffer waits and re-buffers.
        public var maximumConcealedFrames: Int

        public init(clockRate: Int, frameDuration: Duration = .milliseconds(20), minimumDelay: Duration = .milliseconds(20),
                    maximumDelay: Duration = .milliseconds(200), maximumConcealedFrames: Int = 5) {
            self.clockRate = clockRate
            self.frameDuration = frameDuration
            self.minimumDelay = minimumDelay
            self.maximumDelay = maximumDelay
            self.maximumConcealedFrames = maximumConcealedFrames
        }
    }

    public enum Playout: Sendable, Hashable {
        case frame(sequence: UInt16, payload: [UInt8])
        /// The frame for this sequence number is missing: the decoder conceals
        /// it, or rebuilds it from the in-band FEC of `following` (the next
        /// packet, when it has already arrived; Opus carries the previous
        /// frame at lower quality there).
        case lost(sequence: UInt16, following: [UInt8]?)
        /// Nothing to play yet (buffering, or the stream paused).
        case waiting
    }

    public struct Statistics: Sendable, Hashable {
        public var received = 0
        public var played = 0
        public var lost = 0
        public var late = 0
        public var duplicates = 0
        public var restarts = 0

        public init() {}
    }


    public let settings: Settings
    public private(set) var statistics = Statistics()
    private var ssrc: UInt32?
    private var packets: [Int64: [UInt8]] = [:]
    private var highest: Int64 = 0
    private var next: Int64?
    private var playFrom: Duration?
    private var concealedInARow = 0
    // RFC 3550 §6.4.1 jitter, in seconds.
    private var jitter = 0.0
    private var lastTransit: Double?

    public init(settings: Settings) {
        self.settings = settings
    }

    /// The playout delay the buffer aims for now.
    public var targetDelay: Duration {
        let wanted = settings.frameDuration + .seconds(4 * jitter)
        return min(max(wanted, settings.minimumDelay), settings.maximumDelay)
    }

    private var capacity: Int64 { Int64(settings.maximumDelay / settings.frameDuration) * 2 + 4 }

    public mutating func insert(sequence: UInt16, timestamp: UInt32, ssrc: UInt32, payload: [UInt8], arrival: Duration) {
        if self.ssrc != ssrc {
            if self.ssrc != nil { restart() }
            self.ssrc = ssrc
            highest = Int64(sequence)
        }
        statistics.received += 1
        let extended = extend(sequence)
        updateJitter(timestamp: timestamp, arrival: arrival)
        if let next, extended < next {
            statistics.late += 1
            return
        }
        if let next, extended - next > capacity {
            // A jump (the peer restarted its sequence or skipped ahead): start over from here.
            restart()
            highest = extended
        }
        guard packets[extended] == nil else {
            statistics.duplicates += 1
            return
        }
        packets[extended] = payload
        highest = max(highest, extended)
        if next == nil {
            next = extended
            playFrom = arrival + targetDelay
        }
        // Too much queued (a burst after a stall): drop the oldest beyond the maximum delay.
        if let first = next, highest - first > capacity / 2 {
            let keepFrom = highest - capacity / 2
            for key in packets.keys where key < keepFrom {
                packets.removeValue(forKey: key)
                statistics.late += 1
            }
            next = max(first, keepFrom)
        }
    }

    /// The frame to play at `now`; call once per frame duration.
    public mutating func pull(at now: Duration) -> Playout {
        guard let current = next, let start = playFrom, now >= start else { return .waiting }
        if let stored = packets.removeValue(forKey: current) {
            next = current + 1
            concealedInARow = 0
            statistics.played += 1
            return .frame(sequence: UInt16(truncatingIfNeeded: current), payload: stored)
        }
        let hasLater = packets.keys.contains { $0 > current }
        if hasLater || concealedInARow < settings.maximumConcealedFrames {
            next = current + 1
            concealedInARow += 1
            statistics.lost += 1
            if !hasLater, concealedInARow >= settings.maximumConcealedFrames {
                // The stream paused: wait for the next packet and buffer again at the current target.
                playFrom = nil
                next = nil
            }
            return .lost(sequence: UInt16(truncatingIfNeeded: current), following: packets[current + 1])
        }
        return .waiting
    }

    /// RFC 3550 Appendix A.1: the sequence number extended past 16 bits, as
    /// the value nearest to the highest seen.
    private func extend(_ sequence: UInt16) -> Int64 {
        let delta = Int64(Int16(bitPattern: sequence &- UInt16(truncatingIfNeeded: highest)))
        return highest + delta
    }

    /// RFC 3550 §6.4.1: J += (|D| − J) / 16, D the change in transit time.
    private mutating func updateJitter(timestamp: UInt32, arrival: Duration) {
        let transit = arrival / .seconds(1) - Double(timestamp) / Double(settings.clockRate)
        if let lastTransit {
            var difference = abs(transit - lastTransit)
            // A timestamp jump (wrap, a new talkspurt far away) is not jitter.
            if difference > 1 { difference = 0 }
            jitter += (difference - jitter) / 16
        }
        lastTransit = transit
    }

    private mutating func restart() {
        packets.removeAll()
        next = nil
        playFrom = nil
        lastTransit = nil
        concealedInARow = 0
        statistics.restarts += 1
    }
}
