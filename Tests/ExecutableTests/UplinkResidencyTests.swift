import Foundation
import HushboxTestSupport
import Testing

/// The residency promise as the box keeps it: a destination outside the EU/EEA
/// stops hushboxd before it runs, and not one byte goes to it.
@Suite("Uplink residency")
struct UplinkResidencyTests {
    @Test("hushboxd refuses a destination hosted outside the EU/EEA, names it, and never connects to it")
    func outsideDestinationNeverReached() async throws {
        let directory = try TemporaryDirectory()
        // The forbidden destination is a listener on loopback: any connection would show.
        let destination = try PortHolder()
        let file = try directory.write(
            "uplink:\n  destinations:\n    analytics:\n      url: https://127.0.0.1:\(destination.port)\n      region: US\n", to: "hushbox.yaml"
        )
        let daemon = try await ChildProcess.run(
            try BuiltProducts.path(of: "hushboxd"), ["--dev", "--config", file], directory: directory.path,
            environment: HushboxdLifecycleTests.environment(["HUSHBOX_OPS_PORT": "0"])
        )
        #expect(daemon.status == 78, "refused as a configuration error, not restarted by systemd")
        #expect(daemon.errors.contains("analytics is hosted in US, outside the EU/EEA"), "\(daemon.errors)")
        let check = try await ChildProcess.run(
            try BuiltProducts.path(of: "hushbox"), ["config", "check", "--dev", "--config", file], directory: directory.path,
            environment: HushboxdLifecycleTests.environment()
        )
        #expect(check.status == 78)
        #expect(check.errors.contains("uplink.destinations.analytics.region"))
        #expect(!destination.wasConnectedTo, "not one byte went to it")
    }
}
