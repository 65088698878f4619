public import SIPCore

/// What the box needs to register with a trunk (RFC 3261 §10).
public struct RegistrationSettings: Sendable, Hashable {
    /// The registrar, e.g. `sip:sip.example.eu`; its host and port are where REGISTER goes.
    public var registrar: SIPURI
    public var transport: SIPTransport
    /// The address-of-record's user part and the digest username.
    public var username: String
    public var password: String
    /// The registration lifetime asked for.
    public var expires: Duration

    public init(registrar: SIPURI, transport: SIPTransport, username: String, password: String, expires: Duration = .seconds(600)) {
        self.registrar = registrar
        self.transport = transport
        self.username = username
        self.password = password
        self.expires = expires
    }
}

// The password must never reach a log line through string interpolation.
extension RegistrationSettings: CustomStringConvertible {
    public var description: String { "registration of \(username) at \(registrar) over \(transport)" }
}
