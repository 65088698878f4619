import CSRTP
public import MediaFormat

/// One direction of one call's SRTP (RFC 3711), keyed from the SDES
/// attribute (RFC 4568) of the negotiated suite, through libsrtp2: protect
/// outgoing RTP and RTCP, or unprotect incoming packets with replay
/// protection on. Not Sendable: libsrtp's session state belongs to the one
/// task that runs the call's media.
public final class SRTPContext {
    public enum Direction: Sendable {
        /// Packets we send (any SSRC we choose).
        case outbound
        /// Packets the peer sends (any SSRC they choose).
        case inbound
    }

    /// libsrtp2's global initialisation, once per process; it keeps no state
    /// we change afterwards.
    private static let libraryStatus: srtp_err_status_t = srtp_init()

    private var session: srtp_t?
    public let suite: SRTPCryptoSuite

    /// - Parameter keyMaterial: master key followed by master salt, as the
    ///   `inline:` key of the SDES crypto attribute carries them.
    public init(suite: SRTPCryptoSuite, keyMaterial: [UInt8], direction: Direction) throws(SRTPError) {
        guard keyMaterial.count == suite.keyMaterialLength else { throw SRTPError(.badKey) }
        guard Self.libraryStatus == srtp_err_status_ok else { throw SRTPError(status: Self.libraryStatus.rawValue) }
        self.suite = suite
        var policy = srtp_policy_t()
        switch suite {
        case .aesCM128HMACSHA1_80:
            srtp_crypto_policy_set_rtp_default(&policy.rtp)  // AES_CM_128_HMAC_SHA1_80
            srtp_crypto_policy_set_rtcp_default(&policy.rtcp)
        case .aeadAES128GCM:
            srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtp)
            srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtcp)
        case .aeadAES256GCM:
            srtp_crypto_policy_set_aes_gcm_256_16_auth(&policy.rtp)
            srtp_crypto_policy_set_aes_gcm_256_16_auth(&policy.rtcp)
        }
        policy.ssrc.type = direction == .outbound ? ssrc_any_outbound : ssrc_any_inbound
        // RFC 3711 §3.3.2: a replay list of at least 64; libsrtp's default window is 128.
        policy.window_size = 128
        policy.allow_repeat_tx = 0
        var key = keyMaterial
        var created: srtp_t?
        let status = key.withUnsafeMutableBufferPointer { buffer in
            policy.key = buffer.baseAddress
            return srtp_create(&created, &policy)
        }
        // libsrtp copied the key into its own session; ours is wiped.
        for index in key.indices { key[index] = 0 }
        guard status == srtp_err_status_ok, let created else { throw SRTPError(status: status.rawValue) }
        session = created
    }

    deinit {
        if let session { srtp_dealloc(session) }
    }

    /// RTP → SRTP: the packet encrypted, with its authentication tag.
    public func protect(rtp packet: [UInt8]) throws(SRTPError) -> [UInt8] {
        try transform(packet, grow: true) { session, buffer, length in srtp_protect(session, buffer, length) }
    }

    /// SRTP → RTP, or a thrown ``SRTPError`` for a forged or replayed packet.
    public func unprotect(rtp packet: [UInt8]) throws(SRTPError) -> [UInt8] {
        try transform(packet, grow: false) { session, buffer, length in srtp_unprotect(session, buffer, length) }
    }

    public func protect(rtcp packet: [UInt8]) throws(SRTPError) -> [UInt8] {
        try transform(packet, grow: true) { session, buffer, length in srtp_protect_rtcp(session, buffer, length) }
    }

    public func unprotect(rtcp packet: [UInt8]) throws(SRTPError) -> [UInt8] {
        try transform(packet, grow: false) { session, buffer, length in srtp_unprotect_rtcp(session, buffer, length) }
    }

    private func transform(
        _ packet: [UInt8], grow: Bool,
        _ operation: (srtp_t, UnsafeMutableRawPointer, UnsafeMutablePointer<Int32>) -> srtp_err_status_t
    ) throws(SRTPError) -> [UInt8] {
        guard let session else { throw SRTPError(.library(-1)) }
        // libsrtp writes the tag (and for SRTCP the index) after the packet in place.
        var buffer = packet + [UInt8](repeating: 0, count: grow ? Int(SRTP_MAX_TRAILER_LEN) : 0)
        var length = Int32(packet.count)
        let status = buffer.withUnsafeMutableBytes { bytes in
            operation(session, bytes.baseAddress!, &length)
        }
        guard status == srtp_err_status_ok else { throw SRTPError(status: status.rawValue) }
        return Array(buffer.prefix(Int(length)))
    }
}
