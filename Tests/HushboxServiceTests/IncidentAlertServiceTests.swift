import Foundation
import HTTPTypes
import HushboxTestSupport
import Hummingbird
import HummingbirdTLS
import Logging
import MetricsTestKit
import NIOSSL
import ServiceLifecycle
import Synchronization
import Testing
import Uplink
import Vault

@testable import HushboxService

/// hushboxd's incident reminders: a real vault, a real HTTPS webhook receiver
/// on loopback, and virtual time the test moves a minute at a time.
@Suite("Incident alerts")
struct IncidentAlertServiceTests {
    static let secret = "whsec_" + Data((0..<32).map { UInt8($0 &* 5 &+ 1) }).base64EncodedString()
    /// When the organisation became aware of the incident.
    static let awareSince = ISO8601DateFormatter().date(from: "2026-11-20T09:00:00Z")!

    /// One request the receiver got.
    struct Received: Sendable {
        let id: String
        let timestamp: String
        let signature: String
        let body: Data
    }

    /// What the receiver got, in order.
    final class Inbox: Sendable {
        private let received = Mutex<[Received]>([])

        func append(_ request: Received) { received.withLock { $0.append(request) } }
        var all: [Received] { received.withLock { $0 } }
    }

    /// An HTTPS receiver with a throwaway certificate; `run` gets its URL and certificate.
    func withReceiver(_ run: (_ url: String, _ certificatePEM: String, _ received: Inbox) async throws -> Void) async throws {
        let certificate = try TestCertificate.selfSigned(commonName: "alerts")
        let received = Inbox()
        let router = Router()
        router.post("/hooks/incident") { request, _ -> HTTPResponse.Status in
            let body = try await request.body.collect(upTo: 64 * 1024)
            received.append(
                Received(
                    id: request.headers[HTTPField.Name("webhook-id")!] ?? "", timestamp: request.headers[HTTPField.Name("webhook-timestamp")!] ?? "",
                    signature: request.headers[HTTPField.Name("webhook-signature")!] ?? "", body: Data(body.readableBytesView)
                )
            )
            return .noContent
        }
        var tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMBytes(Array(certificate.certificatePEM.utf8)).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(certificate.privateKeyPEM.utf8), format: .pem))
        )
        tls.minimumTLSVersion = .tlsv12
        let port = Mutex<Int?>(nil)
        let application = Application(
            router: router, server: try .tls(.http1(), tlsConfiguration: tls),
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in port.withLock { $0 = channel.localAddress?.port } },
            logger: Logger(label: "receiver")
        )
        let group = ServiceGroup(configuration: .init(services: [application], logger: Logger(label: "receiver")))
        let server = Task { try await group.run() }
        defer { server.cancel() }
        let bound = try await eventually("the receiver's port", within: .seconds(20)) { port.withLock { $0 } }
        try await run("https://127.0.0.1:\(bound)/hooks/incident", certificate.certificatePEM, received)
        await group.triggerGracefulShutdown()
        try await server.value
    }

    /// Polls `value` until it is not nil, or throws naming `what` when `limit` passes.
    func eventually<T>(_ what: String, within limit: Duration, _ value: () throws -> T?) async throws -> T {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if let found = try value() { return found }
            try await Task.sleep(for: .milliseconds(5))
        }
        throw TestTimeout(what: what)
    }

    /// A provisioned box's webhook set up as hushboxd sets it up at start.
    func webhookSetup(url: String, certificatePEM: String) async throws -> (IncidentWebhookSetup, TestBox) {
        let files = try TemporaryDirectory()
        let caFile = try files.write(certificatePEM, to: "alerts.pem")
        let box = try await TestBox(provisioned: true, extra: """
            incidents:
              webhook_url: \(url)
              webhook_ca_file: \(caFile)
            """)
        #expect(FileManager.default.createFile(
            atPath: box.configuration.secrets.directory + "/incident-webhook", contents: Data(Self.secret.utf8), attributes: [.posixPermissions: 0o600]
        ))
        return (try #require(try IncidentWebhookSetup.prepare(box.configuration)), box)
    }

    @Test("An unnotified incident: an error at once, critical once less than 12 hours are left, every 30 minutes, each POSTed signed without the summary; the gauges count it; notifying it ends the alerts")
    func remindsUntilNotified() async throws {
        try await withReceiver { url, certificatePEM, received in
            let (setup, _) = try await webhookSetup(url: url, certificatePEM: certificatePEM)
            let directory = try TemporaryDirectory()
            // The service starts 59 h 40 min after the organisation became aware: 12 h 20 min left.
            let start = Self.awareSince.addingTimeInterval(59 * 3600 + 40 * 60)
            let clock = ManualClock()
            let now: @Sendable () -> Date = { start.addingTimeInterval(Double(clock.now.offset.components.seconds)) }
            let vault = try Vault.open(directory: directory.child("vault"), deviceKEK: DeviceKEK.generate().kek, now: now, logger: Logger(label: "test"))
            let tenant = try vault.createTenant(name: "Praxis")
            let summary = "Reception PC infected; appointment list possibly copied"
            let incident = try tenant.openIncident(severity: .high, summary: summary, awareSince: Self.awareSince, actor: "dpo")
            let logs = LogRecorder()
            let metrics = TestMetrics()
            let service = IncidentAlertService(vault: vault, webhook: setup, clock: clock, now: now, logger: logs.logger(), metricsFactory: metrics)
            let running = Task { try await service.run() }
            defer { running.cancel() }
            /// Lets the service finish its check, then moves time on a minute, `count` times.
            func minutes(_ count: Int) async throws {
                for _ in 0..<count {
                    try await clock.waitForSleepers(1, within: .seconds(20))
                    clock.advance(by: .seconds(60))
                }
                try await clock.waitForSleepers(1, within: .seconds(20))
            }

            try await minutes(55)
            // Minute 0: pending; minute 21: less than 12 h left, urgent at once; minute 51: 30 min later.
            let deliveries = received.all
            #expect(deliveries.count == 3)
            #expect(logs.lines.map(\.level) == [.error, .critical, .critical])
            let minutesSeen = deliveries.compactMap { Int64($0.timestamp) }.map { ($0 - Int64(start.timeIntervalSince1970)) / 60 }
            #expect(minutesSeen == [0, 21, 51])
            let signature = try WebhookSignature(encodedSecret: Self.secret)
            for delivery in deliveries {
                let verdict = signature.verify(
                    id: delivery.id, timestamp: delivery.timestamp, signatures: delivery.signature, body: delivery.body, now: Int64(delivery.timestamp) ?? 0
                )
                #expect(verdict == .valid)
                let json = try #require(try JSONSerialization.jsonObject(with: delivery.body) as? [String: Any])
                #expect(json["incident_id"] as? String == incident.id && json["tenant_id"] as? String == tenant.tenantID)
                #expect(json["severity"] as? String == "high" && json["deadline"] as? String == "2026-11-23T09:00:00Z")
                #expect(!String(decoding: delivery.body, as: UTF8.self).contains("Reception"), "no summary in the webhook")
            }
            #expect(Set(deliveries.map(\.id)).count == 3, "one message id per alert")
            let first = try #require(try JSONSerialization.jsonObject(with: deliveries[0].body) as? [String: Any])
            #expect(first["urgency"] as? String == "pending" && first["seconds_remaining"] as? Int == 12 * 3600 + 20 * 60)
            #expect(!logs.lines.contains { $0.message.contains("Reception") }, "no summary in the log")
            #expect(try metrics.expectGauge(IncidentAlertService<ManualClock>.unnotifiedLabel).lastValue == 1)
            #expect(try metrics.expectGauge(IncidentAlertService<ManualClock>.nextDeadlineLabel).lastValue == incident.notificationDeadline.timeIntervalSince1970)
            #expect(try metrics.expectCounter(IncidentAlertService<ManualClock>.alertsLabel, [("urgency", "urgent")]).totalValue == 2)

            _ = try tenant.recordIncidentNotification(incident.id, actor: "dpo")
            try await minutes(180)
            #expect(received.all.count == 3, "no alert after the notification")
            #expect(try metrics.expectGauge(IncidentAlertService<ManualClock>.unnotifiedLabel).lastValue == 0)
            #expect(try metrics.expectGauge(IncidentAlertService<ManualClock>.nextDeadlineLabel).lastValue == 0)
            running.cancel()
            _ = try? await running.value
        }
    }

    @Test("A receiver that cannot be reached is logged and counted, and the alert still reaches the log")
    func webhookRefused() async throws {
        let directory = try TemporaryDirectory()
        let clock = ManualClock()
        let vault = try Vault.open(directory: directory.child("vault"), deviceKEK: DeviceKEK.generate().kek, logger: Logger(label: "test"))
        let tenant = try vault.createTenant(name: "Kanzlei")
        _ = try tenant.openIncident(severity: .critical, summary: "Mailbox export sent to the wrong address", actor: "dpo")
        // A port nothing listens on.
        let closed = try PortHolder().port
        let setup = IncidentWebhookSetup(
            url: "https://127.0.0.1:\(closed)/hook", signature: try WebhookSignature(encodedSecret: Self.secret), tls: .makeClientConfiguration()
        )
        let logs = LogRecorder()
        let metrics = TestMetrics()
        let service = IncidentAlertService(
            vault: vault, webhook: setup, clock: clock, now: { Date() }, webhookTimeout: .seconds(1), logger: logs.logger(), metricsFactory: metrics
        )
        let running = Task { try await service.run() }
        try await clock.waitForSleepers(1, within: .seconds(20))
        running.cancel()
        _ = try? await running.value
        #expect(logs.lines.map(\.level) == [.error, .error])
        #expect(logs.lines.last?.message.contains("webhook was not delivered") == true)
        #expect(try metrics.expectCounter(IncidentAlertService<ManualClock>.webhookFailuresLabel).totalValue == 1)
    }

    @Test("At start: no URL, no webhook; a URL without its secret, or with one others can read, or a CA file that is no certificate, stops hushboxd by name; an http URL is refused when the configuration loads")
    func setupChecks() async throws {
        let plain = try await TestBox(provisioned: true)
        #expect(try IncidentWebhookSetup.prepare(plain.configuration) == nil)

        let box = try await TestBox(provisioned: true, extra: "incidents:\n  webhook_url: https://alerts.example.eu/hook\n")
        let secretPath = box.configuration.secrets.directory + "/incident-webhook"
        #expect(throws: StartupError.self) { try IncidentWebhookSetup.prepare(box.configuration) }
        do {
            _ = try IncidentWebhookSetup.prepare(box.configuration)
        } catch {
            #expect("\(error)".contains("incident webhook") && "\(error)".contains(secretPath), "\(error)")
        }
        #expect(FileManager.default.createFile(atPath: secretPath, contents: Data(Self.secret.utf8), attributes: [.posixPermissions: 0o644]))
        #expect(throws: StartupError.self) { try IncidentWebhookSetup.prepare(box.configuration) }
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: secretPath)
        #expect(try IncidentWebhookSetup.prepare(box.configuration)?.url == "https://alerts.example.eu/hook")

        let files = try TemporaryDirectory()
        let notPEM = try files.write("not a certificate", to: "ca.pem")
        let badCA = try await TestBox(provisioned: true, extra: "incidents:\n  webhook_url: https://alerts.example.eu/hook\n  webhook_ca_file: \(notPEM)\n")
        #expect(FileManager.default.createFile(
            atPath: badCA.configuration.secrets.directory + "/incident-webhook", contents: Data(Self.secret.utf8), attributes: [.posixPermissions: 0o600]
        ))
        #expect(throws: StartupError.self) { try IncidentWebhookSetup.prepare(badCA.configuration) }

        let refusal = try await ConfigurationFile().refusal("incidents:\n  webhook_url: http://alerts.example.eu/hook\n")
        #expect(refusal?.contains("incidents.webhook_url") == true && refusal?.contains("https") == true, "\(refusal ?? "loaded")")
    }
}
