/// A header field that does not match its grammar: which header and what is wrong.
public struct SIPHeaderError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What is wrong, without the header's name (added by the caller).
    public struct Problem: Error, Hashable, Sendable {
        public let detail: String
        init(_ detail: String) { self.detail = detail }
    }

    public let header: String
    public let detail: String

    public init(header: String, detail: String) {
        self.header = header
        self.detail = detail
    }

    public var description: String { "malformed \(header) header: \(detail)" }
}
