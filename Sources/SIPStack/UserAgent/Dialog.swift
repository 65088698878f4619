public import SIPCore

/// The dialog state of RFC 3261 §12 as the UAS of an INVITE sees it: the ids,
/// both sequence spaces, the remote target and the route set.
public struct Dialog: Sendable, Hashable {
    public struct ID: Sendable, Hashable, CustomStringConvertible {
        public var callID: String
        public var localTag: String
        public var remoteTag: String
        public var description: String { callID }
    }

    public let id: ID
    /// The To of the INVITE with our tag: the From of requests we send.
    public let localParty: String
    /// The From of the INVITE: the To of requests we send.
    public let remoteParty: String
    /// The Contact URI of the peer's last target-refreshing request (§12.2.2).
    public var remoteTarget: URI
    /// Record-Route of the INVITE, in order (§12.1.1).
    public let routeSet: [String]
    public var remoteSequence: UInt32
    public var localSequence: UInt32

    /// The dialog a 2xx or 1xx with `localTag` creates for `invite` (§12.1.1),
    /// or nil when the INVITE lacks what a dialog needs.
    public init?(uasFor invite: SIPRequest, localTag: String, localSequence: UInt32) {
        guard let from = try? invite.headers.from(), let remoteTag = from.tag,
            let to = invite.headers[.to].first, let fromField = invite.headers[.from].first,
            let callID = try? invite.headers.callID(), let cseq = try? invite.headers.cseq()
        else { return nil }
        guard let target = (try? invite.headers.contacts())?.values.first?.uri else { return nil }
        id = ID(callID: callID, localTag: localTag, remoteTag: remoteTag)
        localParty = (try? NameAddress.parse(to))?.tag == nil ? to + ";tag=" + localTag : to
        remoteParty = fromField
        remoteTarget = target
        routeSet = invite.headers[.recordRoute]
        remoteSequence = cseq.sequence
        self.localSequence = localSequence
    }

    /// A request inside the dialog (§12.2.1.1), without Via: the transaction adds it.
    public mutating func makeRequest(_ method: SIPMethod, contact: String) -> SIPRequest {
        localSequence &+= 1
        var headers = SIPHeaders()
        for route in routeSet { headers.append(.route, route) }
        headers.append(.maxForwards, "70")
        headers.append(.from, localParty)
        headers.append(.to, remoteParty)
        headers.append(.callID, id.callID)
        headers.append(.cseq, CSeq(sequence: localSequence, method: method).description)
        headers.append(.contact, contact)
        headers.append(.contentLength, "0")
        return SIPRequest(method: method, uri: remoteTarget, headers: headers)
    }

    /// Checks and records the CSeq of a request the peer sent in this dialog:
    /// §12.2.2 "If the remote sequence number ... is lower than or equal to the
    /// remote sequence number, the request is out of order and MUST be rejected with a 500".
    public mutating func acceptRemoteSequence(of request: SIPRequest) -> Bool {
        guard let cseq = try? request.headers.cseq() else { return false }
        if request.method == .ack || request.method == .cancel { return true }
        guard cseq.sequence > remoteSequence else { return false }
        remoteSequence = cseq.sequence
        return true
    }

    /// The dialog id a request from the peer names: its From tag is their tag, its To tag ours.
    public static func id(ofIncoming request: SIPRequest) -> ID? {
        guard let callID = try? request.headers.callID(), let remoteTag = (try? request.headers.from())??.tag,
            let localTag = (try? request.headers.to())??.tag
        else { return nil }
        return ID(callID: callID, localTag: localTag, remoteTag: remoteTag)
    }
}
