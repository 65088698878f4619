import Crypto
public import Hummingbird
import Foundation
import NIOCore
import NIOSSL

/// Hummingbird's request context plus the connection it came on, so a route
/// can tell which box sent a request: the SHA-256 of the certificate it
/// presented for mutual TLS. The quota is kept per box.
public struct IngestRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }

    /// The box's certificate fingerprint (hex), or ``IngestStore/unidentifiedBox``
    /// when the connection carried none (no TLS here, or a TLS-terminating proxy in front).
    func box() async -> String {
        guard let certificate = try? await channel.nioSSL_peerCertificate().get(), let der = try? certificate.toDERBytes() else {
            return IngestStore.unidentifiedBox
        }
        return SHA256.hash(data: der).map { String(format: "%02x", $0) }.joined()
    }
}
