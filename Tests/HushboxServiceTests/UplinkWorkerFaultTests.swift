import Crypto
import Foundation
import HushboxTestSupport
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Ingest
import Logging
import MetricsTestKit
import NIOSSL
import Synchronization
import Testing
import Uplink
import Vault

@testable import HushboxService

/// The delivery worker hushboxd runs, with outbox rows of its own, against the
/// reference receiver's routes on loopback while the receiver and the network
/// misbehave. What must hold whatever happens: every message arrives once,
/// byte for byte, and no undelivered entry is ever dropped.
@Suite("Uplink worker against a misbehaving receiver")
struct UplinkWorkerFaultTests {
    /// What the receiver does to the next signed requests (POST and PATCH), in order.
    enum Fault: Sendable {
        case status(HTTPResponse.Status)
        case tooManyRequests(retryAfterSeconds: Int)
        /// Answers correctly, but only after this long.
        case slow(Duration)
    }

    /// Applies the faults in arrival order, then lets requests through.
    final class FaultScript: Sendable {
        private let remaining: Mutex<[Fault]>
        init(_ faults: [Fault]) { remaining = Mutex(faults) }

        func respond(to request: Request, context: IngestRequestContext, passingTo responder: some HTTPResponder<IngestRequestContext>) async throws -> Response {
            guard request.method != .head else { return try await responder.respond(to: request, context: context) }
            let fault = remaining.withLock { $0.isEmpty ? nil : $0.removeFirst() }
            switch fault {
            case .none:
                return try await responder.respond(to: request, context: context)
            case .status(let status):
                return Response(status: status)
            case .tooManyRequests(let seconds):
                return Response(status: .tooManyRequests, headers: [.retryAfter: String(seconds)])
            case .slow(let delay):
                // The receiver does the work (an upload created, a chunk committed) and answers late.
                let response = try await responder.respond(to: request, context: context)
                try await Task.sleep(for: delay)
                return response
            }
        }
    }

    let directory: TemporaryDirectory
    let vault: Vault
    let tenant: TenantVault
    let customer = Curve25519.KeyAgreement.PrivateKey()
    let metrics = TestMetrics()
    let secret = "whsec_" + Data((0..<32).map { UInt8($0 &* 7) }).base64EncodedString()

    init() throws {
        directory = try TemporaryDirectory()
        vault = try Vault.open(directory: directory.child("vault"), deviceKEK: DeviceKEK.generate().kek, logger: Logger(label: "test"))
        tenant = try vault.createTenant(name: "Praxis")
        // Customers were told a month ago: the receiver is a live sub-processor.
        _ = try tenant.registerSubProcessor(
            name: "backend", purpose: "voicemail backend", region: "DE", noticeGiven: Date().addingTimeInterval(-31 * 86_400), actor: "test"
        )
    }

    /// Kept messages of `size` bytes each, queued for "backend": voicemail id → audio.
    func leaveMessages(_ count: Int, size: Int) throws -> [String: Data] {
        let mailbox = Mailbox(sipUser: "100")
        try tenant.insert(mailbox)
        var generator = SeededGenerator(seed: 7)
        var left: [String: Data] = [:]
        for _ in 0..<count {
            let caller = try PhoneNumber("+4930901820")
            var call = Call(mailboxID: mailbox.id, direction: .inbound, startedAt: Date(), counterparty: caller, subjectID: try tenant.subject(for: caller))
            try tenant.insert(call)
            let (voicemail, writer) = try tenant.beginRecording(
                call: call.id, mailboxID: mailbox.id, chunkSize: 64 * 1024, consent: Consent(kind: .priorExpress, language: "de", promptVersion: "v1")
            )
            let audio = (0..<size).map { _ in UInt8.random(in: 0...255, using: &generator) }
            try writer.write(audio)
            call.endedAt = Date()
            call.outcome = .recorded
            try tenant.completeCall(call, consent: nil, recording: .keep(voicemail, writer, duration: .seconds(20)), outboxDestinations: ["backend"], actor: "test")
            left[voicemail.id] = Data(audio)
        }
        return left
    }

    func worker(url: String) throws -> UplinkService {
        let destination = HushboxConfiguration.Destination(
            name: "backend", url: url, region: "DE", publicKey: customer.publicKey.rawRepresentation.base64EncodedString(), pinSHA256: nil, caFile: nil,
            maxConcurrentUploads: 2
        )
        let setup = UplinkSetup(
            destination: destination, signature: try WebhookSignature(encodedSecret: secret), tls: .makeClientConfiguration(), recipient: customer.publicKey
        )
        return UplinkService(
            setups: [setup], vault: vault, spool: directory.child("spool"),
            schedule: RetrySchedule(first: .milliseconds(200), longest: .seconds(1), longestRetryAfter: .seconds(2)), pollInterval: .milliseconds(100),
            requestTimeout: .seconds(2), logger: Logger(label: "uplink-test"), metricsFactory: metrics
        )
    }

    /// Runs the worker until the outbox is empty or `limit` passes.
    func drain(_ service: UplinkService, within limit: Duration) async throws {
        try await run(service, within: limit) { try tenant.outboxDepth(destination: "backend").undelivered == 0 }
    }

    /// Runs the worker until `done` holds or `limit` passes.
    func run(_ service: UplinkService, within limit: Duration, until done: () throws -> Bool) async throws {
        let worker = Task { try await service.run() }
        defer { worker.cancel() }
        let deadline = ContinuousClock.now + limit
        while try !done(), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
        }
        worker.cancel()
        _ = try? await worker.value
    }

    @Test("500s, a 429 with Retry-After, a slow receiver, answers lost to a timeout and a connection reset mid-chunk: every message arrives once, byte for byte")
    func everythingArrivesOnce() async throws {
        // 300 KB each: two chunks of at most 256 KiB, so uploads resume mid-object.
        let messages = try leaveMessages(4, size: 300_000)
        let entries = try tenant.dueOutboxEntries(destination: "backend", at: Date().addingTimeInterval(1), limit: 10)
        #expect(entries.count == 4)
        let store = try IngestStore(directory: directory.child("received"), recipientKey: customer)
        let routes = IngestRoutes.router(store: store, signature: try WebhookSignature(encodedSecret: secret), now: IngestRoutes.systemNow).buildResponder()
        let script = FaultScript([
            .status(.internalServerError), .status(.internalServerError), .tooManyRequests(retryAfterSeconds: 1), .status(.serviceUnavailable),
            .slow(.milliseconds(800)),
            // Longer than the worker waits (2 s): the receiver commits, the box never hears it.
            .slow(.seconds(3)), .slow(.seconds(3)),
        ])
        let application = Application(
            responder: CallbackResponder { request, context in try await script.respond(to: request, context: context, passingTo: routes) },
            configuration: .init(address: .hostname("127.0.0.1", port: 0))
        )
        let relay = Mutex<FaultyTCPRelay?>(nil)
        try await application.test(.live) { client in
            let network = try FaultyTCPRelay(upstreamPort: try #require(client.port))
            relay.withLock { $0 = network }
            // The first connection to carry 100 KB of what the box sends dies there: inside a 256 KiB chunk.
            network.reset(connections: 1, afterBytes: 100_000)
            try await drain(try worker(url: "http://127.0.0.1:\(network.port)"), within: .seconds(90))
            network.stop()
        }
        #expect(relay.withLock { $0?.resetsDone } == 1, "a connection was cut mid-chunk")
        #expect(try tenant.outboxDepth(destination: "backend").undelivered == 0, "every entry delivered, none dropped")

        let received = directory.child("received")
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: received + "/objects")) == Set(messages.keys), "each message stored once")
        for (id, audio) in messages {
            #expect(FileManager.default.contents(atPath: received + "/objects/\(id)/audio.opus") == audio, "byte for byte")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: received + "/keys").count == 4, "one upload per message, resumed, never started over")

        var statuses: [Int?] = []
        var retriesLogged = 0
        for entry in entries {
            let log = try tenant.deliveryLog(entry.id)
            retriesLogged += log.filter { $0.outcome == .retry }.count
            #expect(log.filter { $0.outcome == .delivered }.count == 1)
            #expect(log.last?.outcome == .delivered)
            statuses += log.map(\.statusCode)
        }
        #expect(statuses.contains(500) && statuses.contains(503) && statuses.contains(429))
        #expect(statuses.contains(nil), "the reset and the timeouts are logged as attempts without an answer")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.child("spool")).isEmpty, "spooled copies removed once delivered")

        // What an operator's dashboard shows afterwards.
        let backend = [("destination", "backend")]
        #expect(try metrics.expectGauge(UplinkMetrics.queueDepthLabel, backend).lastValue == 0)
        #expect(try metrics.expectGauge(UplinkMetrics.queueDepthLabel, backend).values.contains(4), "the queue was seen full")
        #expect(try metrics.expectGauge(UplinkMetrics.oldestAgeLabel, backend).lastValue == 0)
        #expect(try metrics.expectTimer(UplinkMetrics.latencyLabel, backend).values.count == 4, "one latency per delivered message")
        #expect(try metrics.expectCounter(UplinkMetrics.attemptsLabel, backend + [("outcome", "delivered")]).totalValue == 4)
        let retries = try metrics.expectCounter(UplinkMetrics.attemptsLabel, backend + [("outcome", "retry")])
        #expect(retries.totalValue == Int64(retriesLogged) && retriesLogged >= 5, "the metric counts what the delivery log holds: four errors, lost answers, a reset")
    }

    @Test("A receiver that is down leaves every entry queued; when it comes up they are delivered")
    func receiverDownThenUp() async throws {
        let messages = try leaveMessages(2, size: 20_000)
        // A port that was free a moment ago: connections are refused, as when the receiver is down.
        let closed = try PortHolder().port
        let entries = try tenant.dueOutboxEntries(destination: "backend", at: Date().addingTimeInterval(1), limit: 10)
        let depth = { try? self.metrics.expectGauge(UplinkMetrics.queueDepthLabel, [("destination", "backend")]).lastValue }
        // Until each entry has failed twice and the dashboard has seen the queue.
        try await run(try worker(url: "http://127.0.0.1:\(closed)"), within: .seconds(30)) {
            try entries.allSatisfy { try tenant.deliveryLog($0.id).count >= 2 } && depth() == 2
        }
        #expect(try tenant.outboxDepth(destination: "backend").undelivered == 2, "queued, not dropped, while the receiver is away")
        #expect(try metrics.expectGauge(UplinkMetrics.queueDepthLabel, [("destination", "backend")]).lastValue == 2)
        #expect(try #require(try metrics.expectGauge(UplinkMetrics.oldestAgeLabel, [("destination", "backend")]).lastValue) > 0, "the oldest has waited")

        let store = try IngestStore(directory: directory.child("received"), recipientKey: customer)
        let application = Application(
            router: IngestRoutes.router(store: store, signature: try WebhookSignature(encodedSecret: secret), now: IngestRoutes.systemNow),
            configuration: .init(address: .hostname("127.0.0.1", port: 0))
        )
        try await application.test(.live) { client in
            try await drain(try worker(url: "http://127.0.0.1:\(try #require(client.port))"), within: .seconds(30))
        }
        #expect(try tenant.outboxDepth(destination: "backend").undelivered == 0)
        for (id, audio) in messages {
            #expect(FileManager.default.contents(atPath: directory.child("received/objects/\(id)/audio.opus")) == audio)
        }
    }

    @Test("An erased caller's delivered message is erased at the receiver as well (200, logged), and the receiver will not take it again")
    func eraseNotice() async throws {
        let id = try #require(try leaveMessages(1, size: 20_000).keys.first)
        let received = directory.child("received")
        let store = try IngestStore(directory: received, recipientKey: customer)
        let application = Application(
            router: IngestRoutes.router(store: store, signature: try WebhookSignature(encodedSecret: secret), now: IngestRoutes.systemNow),
            configuration: .init(address: .hostname("127.0.0.1", port: 0))
        )
        try await application.test(.live) { client in
            let url = "http://127.0.0.1:\(try #require(client.port))"
            try await drain(try worker(url: url), within: .seconds(30))
            #expect(FileManager.default.fileExists(atPath: received + "/objects/\(id)/audio.opus"))
            let soft = try tenant.requestErasure(of: .caller(try PhoneNumber("+4930901820")), actor: "owner")
            #expect(soft.eraseMessages == 1)
            try await drain(try worker(url: url), within: .seconds(30))
        }
        #expect(!FileManager.default.fileExists(atPath: received + "/objects/\(id)"), "payload, metadata and audio gone at the receiver")
        let notice = try #require(try tenant.outboxEntries(includingClosed: true).first { $0.kind == OutboxEntry.eraseKind })
        #expect(notice.state == .delivered && notice.referenceID == id)
        #expect(try tenant.deliveryLog(notice.id).map(\.statusCode) == [200])
        let late = NewUpload(objectID: id, kind: "voicemail", length: 1, sha256: String(repeating: "0", count: 64), sealing: .none)
        await #expect(throws: IngestError.self, "an upload of it still on its way is refused") { try await store.create(idempotencyKey: "late", late) }
    }
}
