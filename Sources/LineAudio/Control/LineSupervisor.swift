/// What a line does between calls and around them, as a value on virtual
/// time: counts rings and answers after the configured number, keeps the
/// caller ID heard for the ring sequence, ends a call that outlasts its
/// limit, reopens a card that vanished with back-off, and notices troubles
/// (each logged once as it begins and once as it clears). The runtime feeds
/// it what the hardware says and carries out its actions.
public struct LineSupervisor: Sendable {
    public enum Trouble: String, Sendable, Hashable, CaseIterable {
        case ringingNeverStops = "ringing-never-stops"
        case offHookTooLong = "off-hook-too-long"
        case audioDeviceLost = "audio-device-lost"

        /// What the technician should do about it.
        public var remedy: String {
            switch self {
            case .ringingNeverStops: "the ring input has been active for 10 s: check the line board's ring detector wiring and line.ring_active_low"
            case .offHookTooLong: "a call outlasted line.maximum_call_seconds; it was ended and the line hung up"
            case .audioDeviceLost: "the line's sound card is missing or stopped working; check the USB interface (it is reopened with back-off)"
            }
        }
    }

    public enum Action: Sendable, Hashable {
        /// Take the line off hook and run a call for this caller (nil: none heard, stored as withheld).
        case answer(CallerID?)
        /// Hang up the call in progress (it outlasted the limit).
        case endCall
        /// Try to open the card again.
        case reopenDevice
        case troubleBegan(Trouble)
        case troubleCleared(Trouble)
        /// A burst on the ring input that is not a ring (counted).
        case ringRejected
        /// A ring was counted.
        case rang(count: Int)
    }

    public struct Settings: Sendable, Hashable {
        /// Rings before answering (the caller ID arrives between the first and the second).
        public var rings: Int
        public var maximumCall: Duration

        public init(rings: Int = 2, maximumCall: Duration = .seconds(600)) {
            self.rings = rings
            self.maximumCall = maximumCall
        }
    }

    private enum CallPhase: Sendable, Hashable {
        case idle
        case inCall(since: Duration, endRequested: Bool)
    }

    /// The card, apart from the call: a call being stored outlives a card that vanished.
    private enum Card: Sendable, Hashable {
        case working
        /// Opened again; the trouble clears once it has fed frames for ``settlingTime``.
        case settling(since: Duration, backOff: Duration)
        case lost(retryAt: Duration, backOff: Duration)
    }

    public let settings: Settings
    private var phase = CallPhase.idle
    private var card = Card.working
    private var rings = RingDetector()
    private var callerID: (caller: CallerID, heardAt: Duration)?
    /// When the sequence's first ring was counted.
    private var sequenceStart: Duration?
    public private(set) var troubles: Set<Trouble> = []
    /// How long caller ID stays valid before the first ring.
    public static let callerIDLead = Duration.seconds(15)
    public static let firstBackOff = Duration.seconds(1)
    public static let longestBackOff = Duration.seconds(30)
    /// A card that opens but fails again within this keeps its back-off and its trouble (no log per cycle).
    public static let settlingTime = Duration.seconds(10)

    public init(settings: Settings) {
        self.settings = settings
    }

    public var isInCall: Bool {
        if case .inCall = phase { return true }
        return false
    }

    public var isDeviceLost: Bool {
        if case .lost = card { return true }
        return false
    }

    public mutating func ringSignal(active: Bool, at now: Duration) -> [Action] {
        handle(rings.signal(active: active, at: now), at: now)
    }

    public mutating func callerIDHeard(_ caller: CallerID, at now: Duration) -> [Action] {
        callerID = (caller, now)
        return []
    }

    /// A line-level source sounded long enough (VOX): answered at once.
    public mutating func voiceActivated(at now: Duration) -> [Action] {
        guard case .idle = phase, !isDeviceLost else { return [] }
        phase = .inCall(since: now, endRequested: false)
        return [.answer(nil)]
    }

    /// The card failed (or could not be opened).
    public mutating func deviceFailed(at now: Duration) -> [Action] {
        switch card {
        case .lost:
            return []
        case .settling(_, let backOff):
            // It opened, and failed again before it settled: the back-off goes on, the trouble stays.
            let next = min(backOff * 2, Self.longestBackOff)
            card = .lost(retryAt: now + next, backOff: next)
            return []
        case .working:
            card = .lost(retryAt: now + Self.firstBackOff, backOff: Self.firstBackOff)
            return troubles.insert(.audioDeviceLost).inserted ? [.troubleBegan(.audioDeviceLost)] : []
        }
    }

    /// The card opened again (or for the first time).
    public mutating func deviceOpened(at now: Duration) -> [Action] {
        switch card {
        case .lost(_, let backOff):
            card = .settling(since: now, backOff: backOff)
        case .working where troubles.contains(.audioDeviceLost):
            card = .settling(since: now, backOff: Self.firstBackOff)
        default:
            break
        }
        return []
    }

    /// A reopening failed: the next try waits twice as long, up to 30 s.
    public mutating func reopenFailed(at now: Duration) -> [Action] {
        guard case .lost(_, let backOff) = card else { return deviceFailed(at: now) }
        let next = min(backOff * 2, Self.longestBackOff)
        card = .lost(retryAt: now + next, backOff: next)
        return []
    }

    public mutating func callEnded(at now: Duration) -> [Action] {
        guard case .inCall = phase else { return [] }
        phase = .idle
        rings.answered()
        callerID = nil
        sequenceStart = nil
        return troubles.remove(.offHookTooLong) != nil ? [.troubleCleared(.offHookTooLong)] : []
    }

    public mutating func tick(at now: Duration) -> [Action] {
        var actions = handle(rings.tick(at: now), at: now)
        if case .inCall(let since, false) = phase, now - since >= settings.maximumCall {
            phase = .inCall(since: since, endRequested: true)
            if troubles.insert(.offHookTooLong).inserted { actions.append(.troubleBegan(.offHookTooLong)) }
            actions.append(.endCall)
        }
        switch card {
        case .lost(let retryAt, let backOff) where now >= retryAt:
            // Until the try says how it went, the next is a back-off away.
            card = .lost(retryAt: now + backOff, backOff: backOff)
            actions.append(.reopenDevice)
        case .settling(let since, _) where now - since >= Self.settlingTime:
            card = .working
            if troubles.remove(.audioDeviceLost) != nil { actions.append(.troubleCleared(.audioDeviceLost)) }
        default:
            break
        }
        if let heard = callerID, sequenceStart == nil, now - heard.heardAt > Self.callerIDLead { callerID = nil }
        return actions
    }

    public var nextDeadline: Duration? {
        var deadlines = [rings.nextDeadline].compactMap { $0 }
        if case .inCall(let since, false) = phase { deadlines.append(since + settings.maximumCall) }
        switch card {
        case .lost(let retryAt, _): deadlines.append(retryAt)
        case .settling(let since, _): deadlines.append(since + Self.settlingTime)
        case .working: break
        }
        return deadlines.min()
    }

    private mutating func handle(_ events: [RingDetector.Event], at now: Duration) -> [Action] {
        var actions: [Action] = []
        for event in events {
            switch event {
            case .ring(let count):
                actions.append(.rang(count: count))
                if count == 1 { sequenceStart = now }
                guard count >= settings.rings, case .idle = phase, !isDeviceLost else { continue }
                let start = sequenceStart ?? now
                let caller = callerID.flatMap { $0.heardAt >= start - Self.callerIDLead ? $0.caller : nil }
                phase = .inCall(since: now, endRequested: false)
                rings.answered()
                callerID = nil
                sequenceStart = nil
                actions.append(.answer(caller))
            case .rejected:
                actions.append(.ringRejected)
            case .sequenceEnded:
                sequenceStart = nil
                callerID = nil
            case .stuck:
                if troubles.insert(.ringingNeverStops).inserted { actions.append(.troubleBegan(.ringingNeverStops)) }
            case .released:
                sequenceStart = nil
                if troubles.remove(.ringingNeverStops) != nil { actions.append(.troubleCleared(.ringingNeverStops)) }
            }
        }
        return actions
    }
}
