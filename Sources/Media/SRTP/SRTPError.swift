/// Why libsrtp2 refused a packet or a key. Authentication and replay failures
/// are the routine ones: such a packet is dropped and counted, never decoded.
public struct SRTPError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Code: Hashable, Sendable {
        /// The packet's tag did not verify: forged, damaged or under another key.
        case authenticationFailed
        /// The packet index was seen before, or is too old for the replay window.
        case replayed
        /// The key material has the wrong length for the suite.
        case badKey
        /// Any other libsrtp2 status, by number.
        case library(Int32)
    }

    public let code: Code

    init(status: UInt32) {
        switch status {
        case 7: code = .authenticationFailed  // srtp_err_status_auth_fail
        case 9, 10: code = .replayed  // srtp_err_status_replay_fail, _replay_old
        default: code = .library(Int32(bitPattern: status))
        }
    }

    init(_ code: Code) {
        self.code = code
    }

    public var description: String {
        switch code {
        case .authenticationFailed: "the SRTP authentication tag did not verify"
        case .replayed: "the SRTP packet is a replay or too old"
        case .badKey: "the SRTP key material has the wrong length for the suite"
        case .library(let status): "libsrtp2 failed with status \(status)"
        }
    }
}
