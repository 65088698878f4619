public import Foundation

/// Something worth an audit entry: who (a pseudonymous actor id), did what (an
/// action name), to whom (a pseudonymous subject id), with details that are
/// sealed in the log: under the subject's key when there is a subject, so that
/// erasing the person anonymises the entry while the chain still verifies.
public struct AuditEvent: Sendable, Hashable {
    public var action: String
    public var actor: String
    public var subjectID: String?
    public var details: [String: String]

    public init(action: String, actor: String, subjectID: String? = nil, details: [String: String] = [:]) {
        self.action = action
        self.actor = actor
        self.subjectID = subjectID
        self.details = details
    }
}

/// An audit entry as read back.
public struct AuditEntry: Sendable, Hashable {
    public enum Details: Sendable, Hashable {
        case none
        case readable([String: String])
        /// Sealed under a key that was destroyed: the entry names no one now.
        case erased
    }

    public let sequence: Int64
    public let at: Date
    public let tenantID: String?
    public let actor: String
    public let action: String
    public let subjectID: String?
    public let details: Details
}
