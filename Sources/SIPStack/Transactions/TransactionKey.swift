public import SIPCore

/// How a request is matched to its server transaction (RFC 3261 §17.2.3): the
/// branch of the top Via with its sent-by and the method, ACK counting as
/// INVITE. Requests from RFC 2543 peers (no magic cookie) fall back to the
/// fields that identified a transaction before branches were unique.
public struct ServerTransactionKey: Sendable, Hashable, CustomStringConvertible {
    private let parts: [String]

    /// The key of `request`'s own transaction; ACK and CANCEL are looked up
    /// with ``matching(_:as:)``.
    public init?(_ request: SIPRequest) {
        self.init(request, as: request.method)
    }

    /// The key of the transaction `request` belongs to when read as `method`:
    /// an ACK for a failure response and a CANCEL both find their INVITE's.
    public static func matching(_ request: SIPRequest, as method: SIPMethod) -> ServerTransactionKey? {
        ServerTransactionKey(request, as: method)
    }

    private init?(_ request: SIPRequest, as method: SIPMethod) {
        guard let via = (try? request.headers.vias())?.first else { return nil }
        let methodPart = method == .ack ? SIPMethod.invite.rawValue : method.rawValue
        let sentBy = via.host.description.lowercased() + ":" + String(via.port ?? 0)
        if via.hasRFC3261Branch, let branch = via.branch {
            parts = [branch, sentBy, methodPart]
        } else {
            // RFC 3261 §17.2.3, the RFC 2543 rules: Request-URI, To tag, From tag,
            // Call-ID, CSeq number and top Via.
            let fromTag = (try? request.headers.from())??.tag ?? ""
            let sequence = (try? request.headers.cseq())??.sequence ?? 0
            let callID = (try? request.headers.callID()) ?? nil
            parts = ["2543", request.uri.description, fromTag, callID ?? "", String(sequence), via.description, methodPart]
        }
    }

    public var description: String { parts.joined(separator: "|") }
}
