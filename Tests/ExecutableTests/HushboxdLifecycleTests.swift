import Foundation
import HushboxTestSupport
import Testing

/// The daemon as an operator meets it: started as a child process on a
/// temporary data directory, watched over the systemd notification socket,
/// probed over HTTP and stopped with a signal.
@Suite("hushboxd as a process")
struct HushboxdLifecycleTests {
    /// The environment of a child: only what it needs, so nothing from the test
    /// runner's environment leaks in as a HUSHBOX_* override.
    static let renderedPrompts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("prompts/rendered").path

    static func environment(_ extra: [String: String] = [:]) -> [String: String] {
        // Ephemeral SIP and admin ports, so daemons of parallel tests do not compete for 5060/5061.
        var environment = [
            "PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory(),
            "HUSHBOX_SIP_UDP_PORT": "0", "HUSHBOX_SIP_TCP_PORT": "0", "HUSHBOX_SIP_TLS_PORT": "0", "HUSHBOX_ADMIN_PORT": "0",
            // The prompts `make test` rendered in this checkout (the daemon refuses to start without them).
            "HUSHBOX_STORAGE_PROMPTS_DIRECTORY": renderedPrompts,
        ]
        environment.merge(extra) { _, new in new }
        return environment
    }

    @Test("starts on the development configuration, reports readiness, serves health and metrics, and stops cleanly on SIGTERM within 3 s")
    func developmentLifecycle() async throws {
        let directory = try TemporaryDirectory()
        let systemd = try NotifySocketListener(path: directory.child("notify.sock"))
        defer { systemd.stop() }
        let daemon = try ChildProcess(
            try BuiltProducts.path(of: "hushboxd"), ["--dev"],
            directory: directory.path,
            environment: Self.environment([
                "NOTIFY_SOCKET": systemd.path,
                "WATCHDOG_USEC": "200000",
                "HUSHBOX_OPS_PORT": "0",
            ])
        )

        let ready = try await systemd.messages.waitFor("READY=1") { $0.hasPrefix("READY=1") }
        #expect(ready.contains("STATUS=Ready: "))
        #expect(ready.contains("ops http://127.0.0.1:"))
        #expect(ready.contains("sip udp 127.0.0.1:"))
        let summary = try await daemon.standardOutput.waitFor("the start-up summary") { $0.contains("/healthz and /metrics") }
        let port = try #require(Self.port(in: summary))

        // The first run made the private data directory and its files.
        let dataDirectory = directory.child(".hushbox-dev")
        #expect(Self.mode(of: dataDirectory) == 0o700)
        #expect(Self.mode(of: dataDirectory + "/credentials") == 0o700)
        #expect(Self.mode(of: dataDirectory + "/credentials/device-kek") == 0o600)
        #expect(Self.mode(of: dataDirectory + "/tls/certificate.pem") == 0o600)
        #expect(Self.mode(of: dataDirectory + "/tls/private-key.pem") == 0o600)
        #expect(Self.mode(of: dataDirectory + "/hushbox.sqlite") == 0o600)
        #expect(daemon.standardOutput.all.contains { $0.contains("database") && $0.contains("hushbox.sqlite") })
        #expect(daemon.standardOutput.all.contains { $0.contains("created device key") })

        let health = try LoopbackHTTP.get(port: port, path: "/healthz")
        #expect(health.status == 200)
        #expect(health.body.contains(#""status":"ok""#))
        let metrics = try LoopbackHTTP.get(port: port, path: "/metrics")
        #expect(metrics.status == 200)
        #expect(metrics.body.contains("process_resident_memory_bytes"))
        #expect(metrics.body.contains("hushbox_build_info"))

        // WATCHDOG_USEC=200000: a ping every 100 ms.
        try await systemd.messages.waitForCount(3, "WATCHDOG=1", within: .seconds(5)) { $0 == "WATCHDOG=1" }

        let signalled = ContinuousClock.now
        daemon.send(SIGTERM)
        // Unloaded it takes about 25 ms; the bound is for a daemon that waits out its
        // 10 s grace period or hangs, not for a machine busy with the rest of the suite.
        let status = try await daemon.waitForExit(within: .seconds(3))
        let stopTime = ContinuousClock.now - signalled
        #expect(status == 0, "stderr: \(daemon.standardError.all.joined(separator: "\n"))")
        #expect(stopTime < .seconds(3))
        try await systemd.messages.waitFor("STOPPING=1", within: .seconds(1)) { $0 == "STOPPING=1" }
        #expect((try? LoopbackHTTP.get(port: port, path: "/healthz")) == nil, "the endpoint still answers after exit")
    }

    @Test("a second run reuses the same data and keys, and SIGINT stops it as Ctrl-C would")
    func secondRunReusesData() async throws {
        let directory = try TemporaryDirectory()
        let executable = try BuiltProducts.path(of: "hushboxd")
        var keys: [Data] = []
        for _ in 0..<2 {
            let daemon = try ChildProcess(executable, ["--dev"], directory: directory.path, environment: Self.environment(["HUSHBOX_OPS_PORT": "0"]))
            try await daemon.standardOutput.waitFor("the start-up summary") { $0.contains("Stop with Ctrl-C") }
            keys.append(try Data(contentsOf: URL(fileURLWithPath: directory.child(".hushbox-dev/credentials/device-kek"))))
            daemon.send(SIGINT)
            #expect(try await daemon.waitForExit(within: .seconds(2)) == 0)
            if keys.count == 2 {
                #expect(!daemon.standardOutput.all.contains { $0.hasPrefix("created") }, "the second run created files again")
            }
        }
        #expect(keys[0] == keys[1])
        #expect(keys[0].count == 32)
    }

    @Test("an invalid configuration stops the daemon before it listens, naming the key")
    func invalidConfigurationRefused() async throws {
        let directory = try TemporaryDirectory()
        let systemd = try NotifySocketListener(path: directory.child("notify.sock"))
        defer { systemd.stop() }
        let file = try directory.write("ops:\n  port: 70000\n", to: "hushbox.yaml")
        let result = try await ChildProcess.run(
            try BuiltProducts.path(of: "hushboxd"), ["--config", file],
            environment: Self.environment(["NOTIFY_SOCKET": systemd.path])
        )
        #expect(result.status == 78)
        #expect(result.errors.contains("ops.port = \"70000\""))
        #expect(result.errors.contains("allowed: an integer from 0 to 65535"))
        #expect(!result.errors.contains("Fatal error"))
        #expect(result.errors.split(separator: "\n").count == 1, "expected one line, got: \(result.errors)")
        #expect(systemd.messages.all.isEmpty, "an invalid configuration must not report readiness")
    }

    @Test("a production configuration whose box is not provisioned is refused with what to run")
    func unprovisionedBoxRefused() async throws {
        let directory = try TemporaryDirectory()
        let file = try directory.write(
            "storage:\n  data_directory: \(directory.child("data"))\nsecrets:\n  directory: \(directory.child("credentials"))\n",
            to: "hushbox.yaml"
        )
        let result = try await ChildProcess.run(try BuiltProducts.path(of: "hushboxd"), ["--config", file], environment: Self.environment())
        #expect(result.status == 78)
        #expect(result.errors.contains("hushbox provision init"))
    }

    @Test("a port another process holds stops the daemon with the listener, address and key to change")
    func portInUse() async throws {
        let directory = try TemporaryDirectory()
        let holder = try PortHolder()
        let result = try await ChildProcess.run(
            try BuiltProducts.path(of: "hushboxd"), ["--dev"], directory: directory.path,
            environment: Self.environment(["HUSHBOX_OPS_PORT": String(holder.port)])
        )
        #expect(result.status == 1)
        #expect(result.errors.contains("cannot listen for the operations endpoint on 127.0.0.1:\(holder.port): address already in use"))
        #expect(result.errors.contains("ops.port"))
    }

    static func port(in summary: String) -> Int? {
        guard let range = summary.range(of: "http://127.0.0.1:") else { return nil }
        return Int(summary[range.upperBound...].prefix { $0.isNumber })
    }

    static func mode(of path: String) -> Int? {
        (try? FileManager.default.attributesOfItem(atPath: path)[.posixPermissions]) as? Int
    }
}
