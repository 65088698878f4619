public import SIPCore
public import Vault

extension Call.DiversionReason {
    /// The vault's name for why SIP said a call was forwarded.
    public init(_ reason: SIPCore.DiversionReason) {
        switch reason {
        case .busy: self = .busy
        case .noAnswer: self = .noAnswer
        case .unconditional: self = .unconditional
        case .unavailable: self = .unavailable
        case .other: self = .other
        }
    }
}
