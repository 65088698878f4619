import Crypto
import Foundation
public import Logging
internal import Metrics
internal import NIOSSL
internal import Uplink
public import Vault

/// hushboxd's delivery worker run outside hushboxd until one destination's
/// queue is empty: the same ``UplinkService`` code path, for measuring how fast
/// a backlog drains (Benchmarks/UplinkBenchmarks) and for tools that must
/// flush a box before it is moved.
public enum UplinkDrain {
    public enum Failure: Error, CustomStringConvertible {
        case badSecret(String)
        case notDrained(left: Int)

        public var description: String {
            switch self {
            case .badSecret(let why): "the signing secret does not load: \(why)"
            case .notDrained(let left): "\(left) entries were still undelivered when the time ran out; they stay queued"
            }
        }
    }

    /// Delivers every queued entry for `destination` (system trust roots, no
    /// client certificate: for receivers on loopback or reached over plain HTTP).
    /// - Parameter spool: a private directory for payloads in flight.
    public static func run(
        vault: Vault, destination: HushboxConfiguration.Destination, signingSecret: String, spool: String, within limit: Duration, logger: Logger
    ) async throws {
        let signature: WebhookSignature
        do { signature = try WebhookSignature(encodedSecret: signingSecret) } catch { throw Failure.badSecret("\(error)") }
        let recipient = destination.publicKey.flatMap { Data(base64Encoded: $0) }.flatMap { try? Curve25519.KeyAgreement.PublicKey(rawRepresentation: $0) }
        let setup = UplinkSetup(destination: destination, signature: signature, tls: TLSConfiguration.makeClientConfiguration(), recipient: recipient)
        let service = UplinkService(
            setups: [setup], vault: vault, spool: spool, schedule: RetrySchedule(first: .milliseconds(100), longest: .seconds(1)),
            pollInterval: .milliseconds(20), logger: logger
        )
        let worker = Task { try await service.run() }
        defer { worker.cancel() }
        let deadline = ContinuousClock.now + limit
        var left = try undelivered(in: vault, destination: destination.name)
        while left > 0, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
            left = try undelivered(in: vault, destination: destination.name)
        }
        worker.cancel()
        _ = try? await worker.value
        if left > 0 { throw Failure.notDrained(left: left) }
    }

    static func undelivered(in vault: Vault, destination: String) throws -> Int {
        try vault.tenantIDs().reduce(0) { sum, id in sum + (try vault.tenant(id).outboxDepth(destination: destination).undelivered) }
    }
}
