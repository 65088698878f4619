import Media
import Testing

@Suite("Prompt playback and G.711 concealment")
struct PromptAndConcealmentTests {
    static let prompt: [[UInt8]] = (0..<10).map { [UInt8]($0..<$0 + 1) + [UInt8](repeating: 0xFF, count: 159) }

    @Test("Frames leave every 20 ms of virtual time, the first with the marker bit, 160 samples apart at 8 kHz")
    func pacing() {
        var player = PromptPlayer(frames: Self.prompt, clockRate: 8_000, interruptible: true)
        var sent: [(Duration, PromptPlayer.Frame)] = []
        var now = Duration.zero
        while player.state == .playing {
            for frame in player.frames(dueAt: now) { sent.append((now, frame)) }
            now = player.nextDeadline ?? now
        }
        #expect(sent.map(\.0) == (0..<10).map { Duration.milliseconds(20 * $0) })
        #expect(sent.map(\.1.marker) == [true] + Array(repeating: false, count: 9))
        #expect(sent.allSatisfy { $0.1.samples == 160 })
        #expect(sent.map { $0.1.payload[0] } == (0..<10).map { UInt8($0) })
        #expect(player.state == .finished)
    }

    @Test("A late wake-up catches up without skipping; a key press stops an interruptible prompt, not a disclaimer")
    func catchUpAndInterrupt() {
        var player = PromptPlayer(frames: Self.prompt, clockRate: 8_000, interruptible: true)
        #expect(player.frames(dueAt: .zero).count == 1)
        #expect(player.frames(dueAt: .milliseconds(65)).count == 3, "frames 1, 2 and 3 were due by 65 ms")
        let stopped = player.keyPressed(.pound)
        #expect(stopped)
        #expect(player.state == .interrupted(.pound))
        #expect(player.frames(dueAt: .seconds(1)).isEmpty)

        var disclaimer = PromptPlayer(frames: Self.prompt, clockRate: 8_000, interruptible: false)
        _ = disclaimer.frames(dueAt: .zero)
        let stoppedDisclaimer = disclaimer.keyPressed(.one)
        #expect(!stoppedDisclaimer)
        #expect(disclaimer.state == .playing)
    }

    @Test("G.711 concealment repeats the last frame 6 dB quieter each time, then falls silent")
    func concealment() {
        var concealer = G711Concealer()
        #expect(concealer.conceal(samples: 4) == [0, 0, 0, 0], "nothing to repeat yet")
        _ = concealer.received([800, -800, 400, -400])
        #expect(concealer.conceal(samples: 4) == [400, -400, 200, -200])
        #expect(concealer.conceal(samples: 4) == [200, -200, 100, -100])
        #expect(concealer.conceal(samples: 4) == [100, -100, 50, -50])
        #expect(concealer.conceal(samples: 4) == [0, 0, 0, 0])
        #expect(concealer.received([1, 2, 3, 4]) == [1, 2, 3, 4])
        #expect(concealer.conceal(samples: 2) == [0, 1])
    }
}
