import Foundation
internal import LineAudio
internal import Logging
internal import NIOCore
internal import NIOPosix
import Synchronization

/// hushboxd's telephone line at run time: an event loop of its own where the
/// ``LineController`` and the line's calls run, a capture thread that does
/// the card's blocking reads, and (with a line board) a GPIO thread that
/// waits for ring and loop-current edges and drives the hook relay.
final class LineRuntime: Sendable {
    private let group: MultiThreadedEventLoopGroup
    private let loop: any EventLoop
    private let controller: NIOLoopBoundBox<LineController>
    private let signals: ThreadSignals
    private let finished: [DispatchSemaphore]
    private let wallTicks: RepeatedTask
    /// The line's time: its card's frames (and wall time while the card is gone).
    let clock: LineClock

    /// What the threads share: flags, and the capture thread's wake-up.
    private final class ThreadSignals: Sendable {
        let stopping = Atomic<Bool>(false)
        let inCall = Atomic<Bool>(false)
        /// The latest call's task: awaited before the loop it runs on stops.
        let call = Mutex<Task<Void, Never>?>(nil)
        let offHook = Atomic<Bool>(false)
        /// Frames handed to the loop and not yet handled there.
        let inFlight = Atomic<Int>(0)
        let reopen = DispatchSemaphore(value: 0)
    }

    /// Frames in flight to the loop past which the capture thread waits: a
    /// clockless device reads far faster than a call is handled.
    static let maximumInFlight = 25

    /// Starts the line. `gpio`: the board's lines (nil: VOX, or a test that scripts rings).
    static func start(_ setup: LineController.Setup, gpio: GPIOLines?) -> LineRuntime {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let signals = ThreadSignals()
        let threadCalls = LineController.Threads(
            reopenCard: { signals.reopen.signal() },
            setOffHook: { signals.offHook.store($0, ordering: .releasing) },
            callInProgress: { signals.inCall.store($0, ordering: .releasing) },
            callStarted: { task in signals.call.withLock { $0 = task } }
        )
        let made = LineController(setup: setup, loop: loop, threads: threadCalls)
        let clock = made.clock
        let controller = NIOLoopBoundBox.makeBoxSendingValue(made, eventLoop: loop)
        var threads: [Thread] = []
        var finished: [DispatchSemaphore] = []
        let captureDone = DispatchSemaphore(value: 0)
        let capture = Thread {
            CaptureLoop(line: setup.line, loop: loop, controller: controller, signals: signals, logger: setup.logger).run()
            captureDone.signal()
        }
        capture.name = "hushbox-line-capture"
        threads.append(capture)
        finished.append(captureDone)
        if let gpio {
            let gpioDone = DispatchSemaphore(value: 0)
            let ring = Thread {
                GPIOLoop(lines: gpio, loop: loop, controller: controller, signals: signals, logger: setup.logger).run()
                gpioDone.signal()
            }
            ring.name = "hushbox-line-gpio"
            threads.append(ring)
            finished.append(gpioDone)
        }
        // The line's time runs on its card's frames; while the card is gone, on wall time.
        let wallTicks = loop.scheduleRepeatedTask(initialDelay: .milliseconds(100), delay: .milliseconds(100)) { _ in
            controller.value.wallTick(elapsed: .milliseconds(100))
        }
        let runtime = LineRuntime(
            group: group, loop: loop, controller: controller, signals: signals, finished: finished, wallTicks: wallTicks, clock: clock
        )
        for thread in threads { thread.start() }
        return runtime
    }

    private init(
        group: MultiThreadedEventLoopGroup, loop: any EventLoop, controller: NIOLoopBoundBox<LineController>, signals: ThreadSignals, finished: [DispatchSemaphore],
        wallTicks: RepeatedTask, clock: LineClock
    ) {
        self.wallTicks = wallTicks
        self.clock = clock
        self.group = group
        self.loop = loop
        self.controller = controller
        self.signals = signals
        self.finished = finished
    }

    /// Ring edges at times of the line's clock, for a line whose ring input is not on GPIO here (tests).
    func scriptRings(_ edges: [(at: Duration, active: Bool)]) {
        script(edges.map { ($0.at, .ring, $0.active) })
    }

    /// Input edges (ring, loop current) at times of the line's clock.
    func script(_ edges: [(at: Duration, input: GPIOPort.Input, active: Bool)]) {
        let (controller, edges) = (controller, edges.map { ScriptedEdge(at: $0.at, input: $0.input, active: $0.active) })
        loop.execute { controller.value.script(edges.map { ($0.at, $0.input, $0.active) }) }
    }

    private struct ScriptedEdge: Sendable {
        var at: Duration
        var input: GPIOPort.Input
        var active: Bool
    }

    /// Ends a call in progress (stored as it stands and hung up), waits for
    /// it to be stored (at most `callLimit`), then stops the threads and the
    /// loop: the call's runner runs on that loop, so the loop outlives it.
    func stop(callLimit: Duration = .seconds(8)) async {
        let controller = controller
        loop.execute { controller.value.endCallForShutdown() }
        if let call = signals.call.withLock({ $0 }) {
            let stored = await withTaskGroup(of: Bool.self) { group in
                group.addTask { await call.value; return true }
                group.addTask { try? await Task.sleep(for: callLimit); return false }
                let first = await group.next() ?? false
                group.cancelAll()
                return first
            }
            if !stored {
                call.cancel()
                await call.value
            }
        }
        signals.stopping.store(true, ordering: .releasing)
        signals.reopen.signal()
        wallTicks.cancel()
        for done in finished {
            await withCheckedContinuation { continuation in
                DispatchQueue.global().async {
                    done.wait()
                    continuation.resume()
                }
            }
        }
        try? await group.shutdownGracefully()
    }

    /// The capture thread: opens the card (again, when the supervisor says),
    /// reads 20 ms frames and hands each to the loop. Idle, it keeps to real
    /// time even on a device with no clock.
    private struct CaptureLoop {
        let line: HushboxConfiguration.Line
        let loop: any EventLoop
        let controller: NIOLoopBoundBox<LineController>
        let signals: ThreadSignals
        let logger: Logger

        func run() {
            while !signals.stopping.load(ordering: .acquiring) {
                let capture: LineCapture
                do {
                    capture = try LineCapture(device: line.captureDevice, configurationFile: line.alsaConfigurationFile, probing: true)
                } catch {
                    report(error, wasOpen: false)
                    signals.reopen.wait()
                    continue
                }
                let format = capture.format
                loop.execute { controller.value.cardOpened(format) }
                do {
                    try read(capture)
                } catch {
                    report(error, wasOpen: true)
                    signals.reopen.wait()
                }
            }
        }

        private func report(_ error: LineAudioError, wasOpen: Bool) {
            loop.execute { controller.value.cardFailed(error, wasOpen: wasOpen) }
        }

        private func read(_ capture: LineCapture) throws(LineAudioError) {
            var paceStart = ContinuousClock.now
            var pacedFrames = 0
            var xruns = 0
            var wasInCall = false
            while !signals.stopping.load(ordering: .acquiring) {
                let before = ContinuousClock.now
                let samples = try capture.nextFrame()
                // A read that waited for the card: the card keeps time itself (its clock, not ours, paces the line).
                if ContinuousClock.now - before > .milliseconds(5) {
                    paceStart = ContinuousClock.now
                    pacedFrames = 0
                }
                let newXruns = capture.xruns - xruns
                xruns = capture.xruns
                while signals.inFlight.load(ordering: .acquiring) >= LineRuntime.maximumInFlight, !signals.stopping.load(ordering: .acquiring) {
                    Thread.sleep(forTimeInterval: 0.001)
                }
                signals.inFlight.add(1, ordering: .acquiringAndReleasing)
                let (controller, signals) = (controller, signals)
                loop.execute {
                    controller.value.frame(samples, newXruns: newXruns)
                    signals.inFlight.subtract(1, ordering: .acquiringAndReleasing)
                }
                let inCall = signals.inCall.load(ordering: .acquiring)
                if inCall { wasInCall = true; continue }
                if wasInCall {
                    wasInCall = false
                    paceStart = ContinuousClock.now
                    pacedFrames = 0
                }
                // Idle: a device faster than real time (no clock) is held to it.
                pacedFrames += 1
                let due = paceStart + LineFrame.duration * pacedFrames
                if due > ContinuousClock.now { Thread.sleep(forTimeInterval: Double((due - ContinuousClock.now).components.attoseconds) / 1e18) }
            }
        }
    }

    /// The GPIO thread: ring and loop-current edges to the loop; the hook relay as the controller wants it.
    private struct GPIOLoop {
        let lines: GPIOLines
        let loop: any EventLoop
        let controller: NIOLoopBoundBox<LineController>
        let signals: ThreadSignals
        let logger: Logger

        func run() {
            var port: GPIOPort?
            var reported = false
            while port == nil, !signals.stopping.load(ordering: .acquiring) {
                do {
                    port = try GPIOPort(lines)
                    if reported { logger.notice("the line board's GPIO lines are usable again") }
                } catch {
                    if !reported {
                        logger.error("the line board's GPIO lines cannot be used; no call is answered until they can (tried every 5 s)", metadata: ["error": "\(error)"])
                        reported = true
                    }
                    for _ in 0..<50 where !signals.stopping.load(ordering: .acquiring) { Thread.sleep(forTimeInterval: 0.1) }
                }
            }
            guard let port else { return }
            serve(port)
        }

        private func serve(_ port: GPIOPort) {
            var offHook = false
            var hookFailing = false
            var readFailing = false
            while !signals.stopping.load(ordering: .acquiring) {
                let wanted = signals.offHook.load(ordering: .acquiring)
                if wanted != offHook {
                    do {
                        try port.setOffHook(wanted)
                        offHook = wanted
                        hookFailing = false
                    } catch {
                        if !hookFailing { logger.error("the hook relay could not be set", metadata: ["error": "\(error)"]) }
                        hookFailing = true
                    }
                }
                do {
                    for change in try port.waitForChanges(timeout: .milliseconds(50)) {
                        let controller = controller
                        switch change.input {
                        case .ring: loop.execute { controller.value.ringSignal(active: change.active) }
                        case .loopCurrent: loop.execute { controller.value.loopCurrent(flowing: change.active) }
                        }
                    }
                    readFailing = false
                } catch {
                    if !readFailing { logger.error("reading the line board's GPIO lines failed; retrying every second", metadata: ["error": "\(error)"]) }
                    readFailing = true
                    Thread.sleep(forTimeInterval: 1)
                }
            }
            try? port.setOffHook(false)
        }
    }
}
