/// A SIP method: a case-sensitive token (RFC 3261 §7.1), so `REGISTER` and
/// `RE%47IST%45R` are different methods.
public struct SIPMethod: Sendable, Hashable, CustomStringConvertible, ExpressibleByStringLiteral {
    public let rawValue: String

    public init(_ rawValue: String) {
        self.rawValue = rawValue
    }

    public init(stringLiteral value: String) {
        rawValue = value
    }

    public var description: String { rawValue }

    public static let invite: SIPMethod = "INVITE"
    public static let ack: SIPMethod = "ACK"
    public static let bye: SIPMethod = "BYE"
    public static let cancel: SIPMethod = "CANCEL"
    public static let options: SIPMethod = "OPTIONS"
    public static let register: SIPMethod = "REGISTER"
    public static let prack: SIPMethod = "PRACK"
    public static let update: SIPMethod = "UPDATE"
    public static let info: SIPMethod = "INFO"
    public static let refer: SIPMethod = "REFER"
    public static let message: SIPMethod = "MESSAGE"
    public static let subscribe: SIPMethod = "SUBSCRIBE"
    public static let notify: SIPMethod = "NOTIFY"

    /// Methods defined by RFC 3261 and its common extensions.
    public static let known: Set<SIPMethod> = [
        .invite, .ack, .bye, .cancel, .options, .register, .prack, .update, .info, .refer, .message, .subscribe, .notify,
    ]
}
