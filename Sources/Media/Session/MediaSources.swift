/// The addresses a call's media may come from: the call's SIP peer's
/// allowlist, handed down by whoever knows the peer (Media does not know SIP
/// policy). For plain RTP this is the only thing between a call and anyone
/// who sprays well-formed RTP at the port range, so an empty list admits no
/// one; SRTP packets must also authenticate, and are checked all the same.
public struct MediaSources: Sendable {
    private let admits: @Sendable (String) -> Bool

    /// - Parameter admits: whether an IP literal (as the socket reports it,
    ///   `::ffff:a.b.c.d` for IPv4 on a dual-stack socket) may send this call media.
    public init(admitting admits: @escaping @Sendable (String) -> Bool) {
        self.admits = admits
    }

    public func admit(_ address: String) -> Bool { admits(address) }
}
