// The uplink's drain rate next to its floor, measured in the same run:
// - hushboxd's delivery worker (UplinkService, through UplinkDrain) emptying a
//   backlog of 1,000 queued voicemails of 200 KiB from a real vault into the
//   reference receiver (hushbox-ingest's routes and store) on loopback: each
//   recording read and opened from its sealed object, sealed to the customer's
//   key (HPKE), spooled, signed and uploaded; the receiver fsyncing, checking
//   the SHA-256 and opening it; the outbox row and delivery log updated;
// - a plain upload of the same 1,000 × 200 KiB with the same HTTP client
//   (AsyncHTTPClient, two at a time like the worker's default) to a Hummingbird
//   route that writes each body to a file and fsyncs it.
// Both over plain HTTP on loopback: TLS would cost both alike.
import AsyncHTTPClient
import Benchmark
import Crypto
import Foundation
import Hummingbird
import HushboxService
import Ingest
import Logging
import NIOCore
import Uplink
import Vault

let objectCount = 1_000
let objectSize = 200 * 1024
let lanes = 2

let benchmarks: @Sendable () -> Void = {
    let configuration = Benchmark.Configuration(
        metrics: [.wallClock, .cpuTotal, .peakMemoryResident], timeUnits: .milliseconds, maxDuration: .seconds(900), maxIterations: 3
    )

    Benchmark("Drain 1,000 queued 200 KiB voicemails to hushbox-ingest (uplink worker)", configuration: configuration) { benchmark in
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let vault = try Vault.open(directory: directory + "/vault", deviceKEK: DeviceKEK.generate().kek, logger: quiet)
        let tenant = try vault.createTenant(name: "Benchmark")
        _ = try tenant.registerSubProcessor(
            name: "backend", purpose: "benchmark receiver", region: "DE", noticeGiven: Date().addingTimeInterval(-31 * 86_400), actor: "benchmark"
        )
        try queueVoicemails(in: tenant)
        let customer = Curve25519.KeyAgreement.PrivateKey()
        let secret = "whsec_" + Data(SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }).base64EncodedString()
        let store = try IngestStore(directory: directory + "/received", recipientKey: customer)
        let router = IngestRoutes.router(store: store, signature: try WebhookSignature(encodedSecret: secret), now: IngestRoutes.systemNow)
        try await serving(router) { port in
            let destination = HushboxConfiguration.Destination(
                name: "backend", url: "http://127.0.0.1:\(port)", region: "DE", publicKey: customer.publicKey.rawRepresentation.base64EncodedString(),
                maxConcurrentUploads: lanes
            )
            benchmark.startMeasurement()
            try await UplinkDrain.run(
                vault: vault, destination: destination, signingSecret: secret, spool: directory + "/spool", within: .seconds(900), logger: quiet
            )
            benchmark.stopMeasurement()
        }
        let received = try FileManager.default.contentsOfDirectory(atPath: directory + "/received/objects").count
        precondition(received == objectCount, "the receiver holds \(received) objects, not \(objectCount)")
    }

    Benchmark("Upload the same 1,000 × 200 KiB plainly (AsyncHTTPClient to Hummingbird, write + fsync; baseline)", configuration: configuration) { benchmark in
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let bodies = (0..<objectCount).map { ByteBuffer(bytes: audio(index: $0)) }
        let router = Router()
        router.put("plain/:name") { request, context -> Response in
            let name = try context.parameters.require("name")
            let body = try await request.body.collect(upTo: objectSize + 1)
            let descriptor = open(directory + "/" + name, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
            guard descriptor >= 0 else { return Response(status: .internalServerError) }
            defer { close(descriptor) }
            let written = body.withUnsafeReadableBytes { write(descriptor, $0.baseAddress, $0.count) }
            guard written == body.readableBytes, fsync(descriptor) == 0 else { return Response(status: .internalServerError) }
            return Response(status: .created)
        }
        try await serving(router) { port in
            let client = HTTPClient(eventLoopGroupProvider: .singleton)
            benchmark.startMeasurement()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for lane in 0..<lanes {
                    group.addTask {
                        for index in stride(from: lane, to: objectCount, by: lanes) {
                            var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/plain/\(index)")
                            request.method = .PUT
                            request.body = .bytes(bodies[index])
                            let response = try await client.execute(request, timeout: .seconds(30))
                            precondition(response.status == .created, "the plain upload of \(index) got \(response.status)")
                        }
                    }
                }
                try await group.waitForAll()
            }
            benchmark.stopMeasurement()
            try await client.shutdown()
        }
    }
}

let quiet = Logger(label: "benchmark", factory: { _ in SwiftLogNoOpLogHandler() })

func temporaryDirectory() -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("hushbox-uplink-benchmark-\(UUID().uuidString)").path
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    return path
}

/// The same 200 KiB for message `index` in both benchmarks (SplitMix64: no two alike, nothing to compress).
func audio(index: Int) -> [UInt8] {
    var state = UInt64(index + 1) &* 0x9E37_79B9_7F4A_7C15
    var bytes = [UInt8]()
    bytes.reserveCapacity(objectSize)
    while bytes.count < objectSize {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        mixed ^= mixed >> 31
        withUnsafeBytes(of: mixed.littleEndian) { bytes.append(contentsOf: $0.prefix(objectSize - bytes.count)) }
    }
    return bytes
}

/// 1,000 kept messages, each queued for "backend" with its call, as hushboxd leaves them.
func queueVoicemails(in tenant: TenantVault) throws {
    let mailbox = Mailbox(sipUser: "100")
    try tenant.insert(mailbox)
    let caller = try PhoneNumber("+4930901820")
    let subject = try tenant.subject(for: caller)
    for index in 0..<objectCount {
        var call = Call(mailboxID: mailbox.id, direction: .inbound, startedAt: Date(), counterparty: caller, subjectID: subject)
        try tenant.insert(call)
        let (voicemail, writer) = try tenant.beginRecording(
            call: call.id, mailboxID: mailbox.id, chunkSize: 64 * 1024, consent: Consent(kind: .priorExpress, language: "de", promptVersion: "v1")
        )
        try writer.write(audio(index: index))
        call.endedAt = Date()
        call.outcome = .recorded
        try tenant.completeCall(call, consent: nil, recording: .keep(voicemail, writer, duration: .seconds(60)), outboxDestinations: ["backend"], actor: "benchmark")
    }
}

/// Runs `router` on 127.0.0.1 for as long as `body` takes.
func serving<Builder: HTTPResponderBuilder>(_ router: Builder, _ body: (Int) async throws -> Void) async throws
where Builder.Responder.Context == BasicRequestContext {
    let (ports, announce) = AsyncStream.makeStream(of: Int.self)
    let application = Application(
        router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
        onServerRunning: { channel in announce.yield(channel.localAddress?.port ?? 0) }, logger: quiet
    )
    let server = Task { try await application.runService(gracefulShutdownSignals: []) }
    defer { server.cancel() }
    var iterator = ports.makeAsyncIterator()
    guard let port = await iterator.next(), port > 0 else { throw CancellationError() }
    try await body(port)
    server.cancel()
    _ = try? await server.value
}
