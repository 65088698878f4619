/// Counts the rings on a line from its ring-detect input, as a value on
/// virtual time: edges are debounced (a gap under 400 ms joins two bursts,
/// so a British double ring is one ring), a ring must last 0.2–3 s to count
/// (a glitch or a stuck input does not), a sequence ends after 8 s without
/// a ring, and an input held active for 10 s is reported as stuck.
public struct RingDetector: Sendable {
    public enum Event: Sendable, Hashable {
        /// The `count`th ring of the sequence ended.
        case ring(count: Int)
        /// A burst too short or too long to be a ring.
        case rejected(length: Duration)
        /// No ring for a while: the caller gave up, or the exchange did.
        case sequenceEnded
        /// The input has been active for 10 s (a fault, not a ring).
        case stuck
        /// A stuck input let go.
        case released
    }

    public static let joiningGap = Duration.milliseconds(400)
    public static let shortest = Duration.milliseconds(200)
    public static let longest = Duration.seconds(3)
    public static let sequenceGap = Duration.seconds(8)
    public static let stuckAfter = Duration.seconds(10)

    private var active = false
    private var burstStart: Duration?
    private var burstEnd: Duration?
    private var lastRingEnd: Duration?
    private var isStuck = false
    public private(set) var count = 0

    public init() {}

    /// The ring input changed.
    public mutating func signal(active: Bool, at now: Duration) -> [Event] {
        var events = tick(at: now)
        guard active != self.active else { return events }
        self.active = active
        if active {
            if burstStart == nil || burstEnd == nil { burstStart = now }
            burstEnd = nil
        } else {
            burstEnd = now
            if isStuck {
                isStuck = false
                burstStart = nil
                burstEnd = nil
                events.append(.released)
            }
        }
        return events
    }

    /// Time passed: a burst whose gap is over is judged; a quiet line ends its sequence.
    public mutating func tick(at now: Duration) -> [Event] {
        var events: [Event] = []
        if let start = burstStart, let end = burstEnd, now - end >= Self.joiningGap {
            burstStart = nil
            burstEnd = nil
            let length = end - start
            if length >= Self.shortest, length <= Self.longest {
                count += 1
                lastRingEnd = end
                events.append(.ring(count: count))
            } else {
                events.append(.rejected(length: length))
            }
        }
        if active, let start = burstStart, !isStuck, now - start >= Self.stuckAfter {
            isStuck = true
            events.append(.stuck)
        }
        if count > 0, burstStart == nil, let last = lastRingEnd, now - last >= Self.sequenceGap {
            count = 0
            lastRingEnd = nil
            events.append(.sequenceEnded)
        }
        return events
    }

    /// Starts counting afresh (the box answered).
    public mutating func answered() {
        count = 0
        lastRingEnd = nil
        burstStart = nil
        burstEnd = nil
    }

    /// When ``tick(at:)`` next has something to do.
    public var nextDeadline: Duration? {
        var deadlines: [Duration] = []
        if let end = burstEnd { deadlines.append(end + Self.joiningGap) }
        if active, let start = burstStart, !isStuck { deadlines.append(start + Self.stuckAfter) }
        if count > 0, let last = lastRingEnd { deadlines.append(last + Self.sequenceGap) }
        return deadlines.min()
    }
}
