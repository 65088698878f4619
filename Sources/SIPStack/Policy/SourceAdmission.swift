/// Whether a message or connection from an address goes on to the signalling
/// core: a peer's always; anyone's only when strangers are answered
/// (``UnknownSourcePolicy/refuse``). Asked on the socket's event loop for
/// every datagram and connection, before anything is copied or queued, so it
/// parses the address once and allocates nothing else.
public struct SourceAdmission: Sendable {
    private let ranges: [AddressRange]
    private let everyone: Bool

    public init(peers: [SIPPeer], unknownSources: UnknownSourcePolicy) {
        ranges = peers.flatMap(\.sources)
        everyone = unknownSources == .refuse
    }

    /// - Parameter address: an IP literal as the socket reports it.
    public func admits(_ address: String) -> Bool {
        if everyone { return true }
        guard let bytes = AddressRange.addressBytes(address) else { return false }
        return ranges.contains { $0.contains(addressBytes: bytes) }
    }
}
