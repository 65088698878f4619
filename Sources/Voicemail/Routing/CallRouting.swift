public import SIPCore
public import Vault

/// Whom a call is for, as a mailbox can be looked up: the user as written
/// (a SIP user such as an extension) and, when it is a telephone number in
/// the peer's format, that number in E.164.
public struct CalledParty: Sendable, Hashable {
    public var user: String
    public var number: PhoneNumber?

    public init(user: String, number: PhoneNumber?) {
        self.user = user
        self.number = number
    }
}

/// What the box makes of one INVITE under its peer's ``PeerRouting``:
/// pure, so every trunk's and PBX's style is tested without a socket.
public struct CallRouting: Sendable, Hashable {
    /// The person called; nil when nothing the peer may say names anyone.
    public var called: CalledParty?
    /// Where ``called`` came from.
    public var calledFrom: PeerRouting.CalledPartySource?
    /// Why the call was forwarded to the box, when it was.
    public var reason: DiversionReason?
    /// The caller's number in E.164; nil when withheld (privacy asked for, an
    /// anonymous caller, no number or one that cannot be read).
    public var caller: PhoneNumber?
    /// Headers the peer sent but is not trusted for: ignored.
    public var ignoredHeaders: [SIPHeaderName]
    /// Headers that could not be read: ignored.
    public var malformedHeaders: [SIPHeaderName]

    public init(_ addressing: CallAddressing, policy: PeerRouting) {
        malformedHeaders = addressing.malformed
        ignoredHeaders = []
        if !addressing.historyInfo.isEmpty, !policy.calledPartySources.contains(.historyInfo) { ignoredHeaders.append(.historyInfo) }
        if !addressing.diversions.isEmpty, !policy.calledPartySources.contains(.diversion) { ignoredHeaders.append(.diversion) }
        if !addressing.assertedIdentities.isEmpty, !policy.assertsIdentity { ignoredHeaders.append(.pAssertedIdentity) }

        for source in policy.calledPartySources {
            guard let (user, number, reason) = Self.named(by: source, in: addressing, policy: policy) else { continue }
            called = CalledParty(user: user, number: number)
            calledFrom = source
            self.reason = reason
            break
        }
        caller = Self.caller(addressing, policy: policy)
    }

    /// The user `source` names (as written, for a SIP user), the number it
    /// means in the peer's format, and the diversion's reason; nil when it names nobody.
    private static func named(
        by source: PeerRouting.CalledPartySource, in addressing: CallAddressing, policy: PeerRouting
    ) -> (user: String, number: PhoneNumber?, reason: DiversionReason?)? {
        func party(_ uri: URI?, _ reason: DiversionReason?) -> (String, PhoneNumber?, DiversionReason?)? {
            guard let uri, let user = uri.userOrNumber else { return nil }
            return (user, policy.numbers.normalise(uri), reason)
        }
        switch source {
        case .historyInfo:
            guard let diversion = HistoryInfoEntry.lastDiversion(in: addressing.historyInfo) else { return nil }
            return party(diversion.diverted, diversion.reason)
        case .diversion:
            guard let latest = addressing.diversions.first else { return nil }
            return party(latest.diverter, latest.reason)
        case .requestURI:
            guard let user = addressing.requestURI.userOrNumber else { return nil }
            // A call to the Contact the box registered reaches that registration's mailbox.
            if let registered = policy.registrations[user] {
                let mailbox = registered ?? user
                return (mailbox, policy.numbers.normalise(mailbox), nil)
            }
            return party(addressing.requestURI, nil)
        case .to:
            return party(addressing.to, nil)
        }
    }

    /// RFC 3325 §9.3 and RFC 3323 §4.2: the asserted identity from a trusted
    /// peer, else From. Any privacy the caller asked for but `none` (`id`,
    /// `header`, `user`, `session`, `critical`), or an anonymous From, hides the
    /// caller: a box keeps no number a caller asked to hide.
    private static func caller(_ addressing: CallAddressing, policy: PeerRouting) -> PhoneNumber? {
        guard addressing.privacy.isSubset(of: ["none"]), addressing.from?.isAnonymous != true else { return nil }
        if policy.assertsIdentity {
            for identity in addressing.assertedIdentities where !identity.isAnonymous {
                if let number = policy.numbers.normalise(identity) { return number }
            }
        }
        return addressing.from.flatMap(policy.numbers.normalise)
    }
}
