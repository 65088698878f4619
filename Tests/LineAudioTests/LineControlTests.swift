import LineAudio
import Testing

/// Ring counting, VOX and the line's supervisor, as values on virtual time.
@Suite("Line control")
struct LineControlTests {
    static func ms(_ value: Int) -> Duration { .milliseconds(value) }

    @Test("rings are counted when their gap ends; a British double ring is one ring; glitches and long bursts are not rings")
    func rings() {
        var detector = RingDetector()
        #expect(detector.signal(active: true, at: Self.ms(0)).isEmpty)
        #expect(detector.signal(active: false, at: Self.ms(400)).isEmpty)
        // The second burst of a double ring, 200 ms later, joins the first.
        #expect(detector.signal(active: true, at: Self.ms(600)).isEmpty)
        #expect(detector.signal(active: false, at: Self.ms(1000)).isEmpty)
        #expect(detector.tick(at: Self.ms(1399)).isEmpty)
        #expect(detector.tick(at: Self.ms(1400)) == [.ring(count: 1)])
        // A 50 ms glitch.
        _ = detector.signal(active: true, at: Self.ms(3000))
        _ = detector.signal(active: false, at: Self.ms(3050))
        #expect(detector.tick(at: Self.ms(3450)) == [.rejected(length: Self.ms(50))])
        _ = detector.signal(active: true, at: Self.ms(4000))
        _ = detector.signal(active: false, at: Self.ms(5000))
        #expect(detector.tick(at: Self.ms(5400)) == [.ring(count: 2)])
        // Eight quiet seconds end the sequence.
        #expect(detector.nextDeadline == Self.ms(13000))
        #expect(detector.tick(at: Self.ms(13000)) == [.sequenceEnded])
        #expect(detector.count == 0)
    }

    @Test("an input held active for 10 s is reported once as stuck, and its release once")
    func stuck() {
        var detector = RingDetector()
        _ = detector.signal(active: true, at: .zero)
        #expect(detector.tick(at: .seconds(9)).isEmpty)
        #expect(detector.tick(at: .seconds(10)) == [.stuck])
        #expect(detector.tick(at: .seconds(20)).isEmpty)
        #expect(detector.signal(active: false, at: .seconds(30)) == [.released])
        #expect(detector.tick(at: .seconds(31)).isEmpty, "no ring counted for the stuck burst")
    }

    @Test("the supervisor answers on the configured ring with the caller ID heard before it; a caller ID from long before is not used")
    func answersWithCallerID() {
        var supervisor = LineSupervisor(settings: .init(rings: 2))
        #expect(supervisor.callerIDHeard(.number("030111222"), at: .seconds(1)).isEmpty)
        _ = supervisor.ringSignal(active: true, at: .seconds(2))
        _ = supervisor.ringSignal(active: false, at: .seconds(3))
        #expect(supervisor.tick(at: Self.ms(3400)) == [.rang(count: 1)])
        _ = supervisor.ringSignal(active: true, at: .seconds(6))
        _ = supervisor.ringSignal(active: false, at: .seconds(7))
        #expect(supervisor.tick(at: Self.ms(7400)) == [.rang(count: 2), .answer(.number("030111222"))])
        #expect(supervisor.isInCall)
        _ = supervisor.callEnded(at: .seconds(60))

        // A caller ID, then only a glitch on the ring input, then nothing: it is not kept for a later call.
        _ = supervisor.callerIDHeard(.number("030555555"), at: .seconds(70))
        _ = supervisor.ringSignal(active: true, at: .seconds(71))
        _ = supervisor.ringSignal(active: false, at: Self.ms(71_050))
        #expect(supervisor.tick(at: Self.ms(71_450)) == [.ringRejected])
        _ = supervisor.tick(at: .seconds(90))

        // A caller ID 20 s before the first ring belongs to nobody here.
        _ = supervisor.callerIDHeard(.number("030999999"), at: .seconds(100))
        _ = supervisor.tick(at: .seconds(116))
        _ = supervisor.ringSignal(active: true, at: .seconds(120))
        _ = supervisor.ringSignal(active: false, at: .seconds(121))
        _ = supervisor.tick(at: Self.ms(121_400))
        _ = supervisor.ringSignal(active: true, at: .seconds(124))
        _ = supervisor.ringSignal(active: false, at: .seconds(125))
        #expect(supervisor.tick(at: Self.ms(125_400)) == [.rang(count: 2), .answer(nil)])
    }

    @Test("a call past its limit is ended and reported once; a lost card is retried with back-off and no call is answered meanwhile")
    func troubles() {
        var supervisor = LineSupervisor(settings: .init(rings: 1, maximumCall: .seconds(30)))
        #expect(supervisor.voiceActivated(at: .zero) == [.answer(nil)])
        #expect(supervisor.tick(at: .seconds(30)) == [.troubleBegan(.offHookTooLong), .endCall])
        #expect(supervisor.tick(at: .seconds(31)).isEmpty, "ended once")
        #expect(supervisor.callEnded(at: .seconds(32)) == [.troubleCleared(.offHookTooLong)])

        #expect(supervisor.deviceFailed(at: .seconds(40)) == [.troubleBegan(.audioDeviceLost)])
        #expect(supervisor.deviceFailed(at: .seconds(40)).isEmpty, "logged once")
        #expect(supervisor.voiceActivated(at: .seconds(40)).isEmpty, "nothing answered without a card")
        #expect(supervisor.tick(at: .seconds(41)) == [.reopenDevice])
        _ = supervisor.reopenFailed(at: .seconds(41))
        #expect(supervisor.nextDeadline == .seconds(43))
        _ = supervisor.tick(at: .seconds(43))
        _ = supervisor.reopenFailed(at: .seconds(43))
        #expect(supervisor.nextDeadline == .seconds(47))
        for _ in 0..<10 { _ = supervisor.reopenFailed(at: .seconds(50)) }
        #expect(supervisor.nextDeadline == .seconds(80), "at most 30 s apart")
        // Opened again, it must feed frames for 10 s before the trouble clears; failing sooner keeps the back-off and logs nothing.
        #expect(supervisor.deviceOpened(at: .seconds(80)).isEmpty)
        #expect(supervisor.deviceFailed(at: .seconds(83)).isEmpty, "no second trouble for a card that flaps")
        #expect(supervisor.nextDeadline == .seconds(113), "still 30 s apart")
        #expect(supervisor.tick(at: .seconds(113)) == [.reopenDevice])
        #expect(supervisor.deviceOpened(at: .seconds(114)).isEmpty)
        #expect(supervisor.tick(at: .seconds(124)) == [.troubleCleared(.audioDeviceLost)])
        #expect(supervisor.voiceActivated(at: .seconds(125)) == [.answer(nil)])
    }

    @Test("VOX answers after 0.3 s of mostly loud audio, not on a click")
    func vox() {
        var vox = VoiceActivation(thresholdDB: -40)
        let loud = [Int16](repeating: 3000, count: 160), quiet = [Int16](repeating: 0, count: 160)
        var early = [vox.take(loud)]
        for _ in 0..<13 { early.append(vox.take(quiet)) }
        #expect(!early.contains(true), "a click and silence start nothing")
        vox.reset()
        var started: [Bool] = []
        for index in 0..<15 { started.append(vox.take(index == 3 || index == 9 ? quiet : loud)) }
        #expect(started.firstIndex(of: true) == 14, "the 15th frame completes 0.3 s, 13 of 15 loud")
    }

    @Test("cadences: two cycles within tolerance are recognised and dated; a wrong rhythm is not")
    func cadence() {
        var matcher = CadenceMatcher(cadence: [500, 500])
        var found: Int?
        let pattern = Array(repeating: false, count: 10) + (0..<4).flatMap { _ in Array(repeating: true, count: 26) + Array(repeating: false, count: 24) }
        for (index, on) in pattern.enumerated() where found == nil {
            if let start = matcher.take(toneOn: on) { found = start; #expect(index >= 10 + 100) }
        }
        #expect(found == 10)
        var wrong = CadenceMatcher(cadence: [500, 500])
        let fast = (0..<10).flatMap { _ in Array(repeating: true, count: 10) + Array(repeating: false, count: 10) }
        var recognised: [Int] = []
        for on in fast { if let start = wrong.take(toneOn: on) { recognised.append(start) } }
        #expect(recognised.isEmpty)
    }
}
