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

    private enum State: Sendable, Hashable {
        case idle
        case inCall(since: Duration, endRequested: Bool)
        case deviceLost(retryAt: Duration, backOff: Duration)
    }

    public let settings: Settings
    private var state = State.idle
    private var rings = RingDetector()
    private var callerID: (caller: CallerID, heardAt: Duration)?
    private var sequenceStart: Duration?
    public private(set) var troubles: Set<Trouble> = []
    /// How long caller ID stays valid before the first ring.
    public static let callerIDLead = Duration.seconds(15)
    public static let firstBackOff = Duration.seconds(1)
    public static let longestBackOff = Duration.seconds(30)

    public init(settings: Settings) {
        self.settings = settings
    }

    public var isInCall: Bool {
        if case .inCall = state { return true }
        return false
    }

    public var isDeviceLost: Bool {
        if case .deviceLost = state { return true }
        return false
    }

    public mutating func ringSignal(active: Bool, at now: Duration) -> [Action] {
        let events = rings.signal(active: active, at: now)
        if active, sequenceStart == nil { sequenceStart = now }
        return handle(events, at: now)
    }

    public mutating func callerIDHeard(_ caller: CallerID, at now: Duration) -> [Action] {
        callerID = (caller, now)
        return []
    }

    /// A line-level source sounded long enough (VOX): answered at once.
    public mutating func voiceActivated(at now: Duration) -> [Action] {
        guard case .idle = state else { return [] }
        state = .inCall(since: now, endRequested: false)
        return [.answer(nil)]
    }

    public mutating func deviceFailed(at now: Duration) -> [Action] {
        var actions: [Action] = []
        if case .deviceLost = state { return [] }
        state = .deviceLost(retryAt: now + Self.firstBackOff, backOff: Self.firstBackOff)
        if troubles.insert(.audioDeviceLost).inserted { actions.append(.troubleBegan(.audioDeviceLost)) }
        return actions
    }

    /// The card opened again (or for the first time).
    public mutating func deviceOpened(at now: Duration) -> [Action] {
        if case .deviceLost = state { state = .idle }
        return troubles.remove(.audioDeviceLost) != nil ? [.troubleCleared(.audioDeviceLost)] : []
    }

    /// A reopening failed: the next try waits twice as long, up to 30 s.
    public mutating func reopenFailed(at now: Duration) -> [Action] {
        guard case .deviceLost(_, let backOff) = state else { return deviceFailed(at: now) }
        let next = min(backOff * 2, Self.longestBackOff)
        state = .deviceLost(retryAt: now + next, backOff: next)
        return []
    }

    public mutating func callEnded(at now: Duration) -> [Action] {
        guard case .inCall = state else { return [] }
        state = .idle
        rings.answered()
        callerID = nil
        sequenceStart = nil
        return troubles.remove(.offHookTooLong) != nil ? [.troubleCleared(.offHookTooLong)] : []
    }

    public mutating func tick(at now: Duration) -> [Action] {
        var actions = handle(rings.tick(at: now), at: now)
        switch state {
        case .inCall(let since, false) where now - since >= settings.maximumCall:
            state = .inCall(since: since, endRequested: true)
            if troubles.insert(.offHookTooLong).inserted { actions.append(.troubleBegan(.offHookTooLong)) }
            actions.append(.endCall)
        case .deviceLost(let retryAt, let backOff) where now >= retryAt:
            // Until the try says how it went, the next is a back-off away.
            state = .deviceLost(retryAt: now + backOff, backOff: backOff)
            actions.append(.reopenDevice)
        default:
            break
        }
        if let heard = callerID, sequenceStart == nil, now - heard.heardAt > Self.callerIDLead { callerID = nil }
        return actions
    }

    public var nextDeadline: Duration? {
        var deadlines = [rings.nextDeadline].compactMap { $0 }
        switch state {
        case .inCall(let since, false): deadlines.append(since + settings.maximumCall)
        case .deviceLost(let retryAt, _): deadlines.append(retryAt)
        default: break
        }
        return deadlines.min()
    }

    private mutating func handle(_ events: [RingDetector.Event], at now: Duration) -> [Action] {
        var actions: [Action] = []
        for event in events {
            switch event {
            case .ring(let count):
                actions.append(.rang(count: count))
                guard count >= settings.rings, case .idle = state else { continue }
                let start = sequenceStart ?? now
                let caller = callerID.flatMap { $0.heardAt >= start - Self.callerIDLead ? $0.caller : nil }
                state = .inCall(since: now, endRequested: false)
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
