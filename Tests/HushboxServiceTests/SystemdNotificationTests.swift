import HushboxService
import HushboxTestSupport
import Logging
import ServiceLifecycle
import ServiceLifecycleTestKit
import Testing

@Suite("systemd notifications")
struct SystemdNotificationTests {
    @Test("notifications are the sd_notify assignments systemd expects")
    func messages() {
        #expect(SystemdNotification.ready(status: "Ready: ops\nhttp://127.0.0.1:9464").message == "READY=1\nSTATUS=Ready: ops http://127.0.0.1:9464")
        #expect(SystemdNotification.stopping.message == "STOPPING=1")
        #expect(SystemdNotification.watchdog.message == "WATCHDOG=1")
    }

    @Test("the watchdog interval is half of WATCHDOG_USEC")
    func watchdogInterval() {
        let environment = SystemdEnvironment(
            environment: ["NOTIFY_SOCKET": "/run/systemd/notify", "WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "4242"],
            processID: 4242
        )
        #expect(environment.notifySocket == "/run/systemd/notify")
        #expect(environment.watchdogInterval == .seconds(15))
    }

    @Test("a watchdog meant for another process, or without a socket, is ignored")
    func watchdogNotOurs() {
        #expect(SystemdEnvironment(environment: ["NOTIFY_SOCKET": "@notify", "WATCHDOG_USEC": "1000000", "WATCHDOG_PID": "1"], processID: 4242).watchdogInterval == nil)
        #expect(SystemdEnvironment(environment: ["WATCHDOG_USEC": "1000000"], processID: 4242).watchdogInterval == nil)
        #expect(SystemdEnvironment(environment: [:], processID: 4242).notifySocket == nil)
    }

    @Test("READY=1 waits for every component; WATCHDOG=1 follows the clock; STOPPING=1 comes on graceful shutdown")
    func notifierLifecycle() async throws {
        let directory = try TemporaryDirectory()
        let systemd = try NotifySocketListener(path: directory.child("notify.sock"))
        defer { systemd.stop() }
        let clock = ManualClock()
        let readiness = ReadinessBoard(expecting: ["sip", "ops"])
        let notifier = SystemdNotifierService(
            environment: SystemdEnvironment(
                environment: ["NOTIFY_SOCKET": systemd.path, "WATCHDOG_USEC": "2000000"], processID: 1
            ),
            readiness: readiness,
            clock: clock,
            logger: Logger(label: "test")
        ) { components in
            StartupSummary.status(components: components)
        }

        try await testGracefulShutdown { trigger in
            try await Self.driveLifecycle(notifier: notifier, readiness: readiness, clock: clock, systemd: systemd, trigger: trigger)
        }
    }

    /// The script of the lifecycle test, outside the closure: Swift 6.3's
    /// region-isolation pass crashes on this body written inline in the closure.
    private static func driveLifecycle(
        notifier: SystemdNotifierService,
        readiness: ReadinessBoard,
        clock: ManualClock,
        systemd: NotifySocketListener,
        trigger: GracefulShutdownTestTrigger
    ) async throws {
        let running = Task { try await notifier.run() }
        readiness.report("ops", detail: "http://127.0.0.1:9464")
        // One of two components is not ready yet: nothing may be announced.
        try await Task.sleep(for: .milliseconds(50))
        #expect(systemd.messages.all.isEmpty)

        readiness.report("sip", detail: "sips:127.0.0.1:5061")
        let ready = try await systemd.messages.waitFor("READY=1") { $0.hasPrefix("READY=1") }
        #expect(ready == "READY=1\nSTATUS=Ready: ops http://127.0.0.1:9464, sip sips:127.0.0.1:5061")
        try await systemd.messages.waitForCount(1, "first WATCHDOG=1") { $0 == "WATCHDOG=1" }

        // The next ping waits for half of WATCHDOG_USEC on the clock.
        try await clock.waitForSleepers(1)
        #expect(systemd.messages.all.filter { $0 == "WATCHDOG=1" }.count == 1)
        clock.advance(by: .seconds(1))
        try await systemd.messages.waitForCount(2, "second WATCHDOG=1") { $0 == "WATCHDOG=1" }
        try await clock.waitForSleepers(1)
        clock.advance(by: .seconds(1))
        try await systemd.messages.waitForCount(3, "third WATCHDOG=1") { $0 == "WATCHDOG=1" }

        trigger.triggerGracefulShutdown()
        try await systemd.messages.waitFor("STOPPING=1") { $0 == "STOPPING=1" }
        try await running.value
        #expect(systemd.messages.all.last == "STOPPING=1")
    }

    @Test("without systemd the notifier still waits for readiness and stops on graceful shutdown")
    func notifierWithoutSystemd() async throws {
        let readiness = ReadinessBoard(expecting: ["ops"])
        let announced = LineInbox()
        let notifier = SystemdNotifierService(
            environment: SystemdEnvironment(environment: [:], processID: 1),
            readiness: readiness,
            logger: Logger(label: "test")
        ) { components in
            announced.append(components.map(\.detail).joined())
            return "Ready"
        }
        try await testGracefulShutdown { trigger in
            let running = Task { try await notifier.run() }
            readiness.report("ops", detail: "http://127.0.0.1:1")
            try await announced.waitFor("the ready callback") { $0 == "http://127.0.0.1:1" }
            trigger.triggerGracefulShutdown()
            try await running.value
        }
    }
}
