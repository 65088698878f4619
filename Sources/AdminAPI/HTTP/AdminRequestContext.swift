public import Hummingbird
public import Foundation
import NetworkLimits
import NIOCore

/// Hummingbird's request context plus who is calling (set by
/// ``AdminAuthenticator``) and the address the connection came from.
public struct AdminRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The peer's IP address, for sign-in back-off per source.
    public let remoteAddress: String
    public var principal: AdminPrincipal?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress?.ipAddress ?? "unknown"
    }

    /// Uploads (greetings) are the largest bodies the API takes.
    public var maxUploadSize: Int { 16 << 20 }

    /// Whom sign-in failures are counted against: the address, or for IPv6 its
    /// /64, which one host can fill with addresses of its own.
    public var sourceKey: String {
        SourceKey.of(remoteAddress)
    }

    /// The caller, with `permission`; 401 without a credential, 403 without the role.
    public func require(_ permission: AdminPermission) throws(Problem) -> AdminPrincipal {
        guard let principal else { throw Problem.signInRequired }
        try principal.require(permission)
        return principal
    }
}

extension AdminRequestContext {
    /// JSON in snake_case with ISO 8601 times, as docs/admin-api.yaml writes it.
    public var responseEncoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }

    public var requestDecoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}
