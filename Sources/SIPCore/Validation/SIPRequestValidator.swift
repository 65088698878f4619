/// What a user agent server accepts, for ``SIPRequestValidator``.
public struct UASPolicy: Sendable, Hashable {
    /// Methods this UAS handles; a known method outside the set gets 405, an
    /// unknown one 501 (RFC 3261 §8.2.1).
    public var allowedMethods: [SIPMethod]
    /// Option tags this UAS supports; any other in Require gets 420.
    public var supportedExtensions: Set<String>
    /// Body types accepted (lower-case `type/subtype`).
    public var acceptedBodyTypes: Set<String>
    /// URI schemes this UAS is addressed by; others get 416.
    public var acceptedURISchemes: Set<String>

    public init(
        allowedMethods: [SIPMethod] = [.invite, .ack, .bye, .cancel, .options],
        supportedExtensions: Set<String> = [],
        acceptedBodyTypes: Set<String> = ["application/sdp"],
        acceptedURISchemes: Set<String> = ["sip", "sips", "tel"]
    ) {
        self.allowedMethods = allowedMethods
        self.supportedExtensions = supportedExtensions
        self.acceptedBodyTypes = acceptedBodyTypes
        self.acceptedURISchemes = acceptedURISchemes
    }
}

/// A request refused, with the response a real server sends.
public struct SIPRejection: Sendable, Hashable, CustomStringConvertible {
    public let statusCode: Int
    /// Why, for the log (and a Warning header): never personal data, header names only.
    public let explanation: String
    /// Headers the response must carry (Allow, Unsupported, Accept).
    public let headers: [SIPHeaders.Field]

    public init(statusCode: Int, explanation: String, headers: [SIPHeaders.Field] = []) {
        self.statusCode = statusCode
        self.explanation = explanation
        self.headers = headers
    }

    public var description: String { "\(statusCode) \(StatusPhrase.standard(for: statusCode)): \(explanation)" }
}

/// The checks a UAS makes on a parsed request before acting on it (RFC 3261
/// §8.2, with RFC 4475's verdicts), in the order that gives the most precise
/// answer: malformed headers 400, version 505, CSeq mismatch 400/501, URI
/// scheme 416, method 405/501, Require 420, body type 415, Accept 406.
public struct SIPRequestValidator: Sendable {
    public let policy: UASPolicy

    public init(policy: UASPolicy = UASPolicy()) {
        self.policy = policy
    }

    public func validate(_ request: SIPRequest) -> SIPRejection? {
        do {
            try checkHeaderSyntax(request)
        } catch {
            return SIPRejection(statusCode: 400, explanation: error.description)
        }
        if request.version.uppercased() != "SIP/2.0" {
            return SIPRejection(statusCode: 505, explanation: "only SIP/2.0 is supported, not \(request.version)")
        }
        let known = SIPMethod.known.contains(request.method)
        // checkHeaderSyntax guarantees CSeq.
        if let cseq = try? request.headers.cseq(), cseq.method != request.method {
            return SIPRejection(
                statusCode: known ? 400 : 501,
                explanation: "the CSeq method \(cseq.method) does not match the request method"
            )
        }
        if !policy.acceptedURISchemes.contains(request.uri.scheme) {
            return SIPRejection(statusCode: 416, explanation: "the Request-URI scheme '\(request.uri.scheme)' is not served here")
        }
        if !policy.allowedMethods.contains(request.method) {
            let allow = SIPHeaders.Field(name: .allow, value: policy.allowedMethods.map(\.rawValue).joined(separator: ", "))
            return known
                ? SIPRejection(statusCode: 405, explanation: "\(request.method) is not handled here", headers: [allow])
                : SIPRejection(statusCode: 501, explanation: "the method is unknown to this UAS", headers: [allow])
        }
        // A UAS ignores Proxy-Require (RFC 3261 §8.2.2.3).
        let unsupported = ((try? request.headers.optionTags(.require)) ?? []).filter { !policy.supportedExtensions.contains($0) }
        if !unsupported.isEmpty, request.method != .ack, request.method != .cancel {
            return SIPRejection(
                statusCode: 420, explanation: "Require names extensions not supported here",
                headers: [SIPHeaders.Field(name: .unsupported, value: unsupported.joined(separator: ", "))]
            )
        }
        let acceptHeader = SIPHeaders.Field(name: .accept, value: policy.acceptedBodyTypes.sorted().joined(separator: ", "))
        if !request.body.isEmpty {
            let type = (try? request.headers.contentType()) ?? nil
            guard let type, policy.acceptedBodyTypes.contains(type) else {
                return SIPRejection(statusCode: 415, explanation: "the body's Content-Type is not accepted here", headers: [acceptHeader])
            }
            if let encoding = request.headers[.contentEncoding].first, encoding.lowercased() != "identity" {
                return SIPRejection(statusCode: 415, explanation: "the body's Content-Encoding is not supported", headers: [acceptHeader])
            }
        }
        if request.method == .invite || request.method == .options, let accepted = (try? request.headers.acceptedTypes()) ?? nil, !accepted.isEmpty {
            let acceptable = accepted.contains { $0 == "*/*" || $0 == "application/*" || policy.acceptedBodyTypes.contains($0) }
            if !acceptable {
                return SIPRejection(statusCode: 406, explanation: "Accept lists no body type this UAS can send", headers: [acceptHeader])
            }
        }
        return nil
    }

    /// The header checks whose failure is a 400: required headers present once,
    /// and every header this stack relies on well-formed.
    private func checkHeaderSyntax(_ request: SIPRequest) throws(SIPHeaderError) {
        let headers = request.headers
        for required in [SIPHeaderName.to, .from, .callID, .cseq] where !headers.contains(required) {
            throw SIPHeaderError(header: required.canonical, detail: "is missing")
        }
        guard !headers[.via].isEmpty else { throw SIPHeaderError(header: "Via", detail: "is missing") }
        let vias = try headers.vias()
        guard !vias.isEmpty else { throw SIPHeaderError(header: "Via", detail: "is empty") }
        _ = try headers.to()
        _ = try headers.from()
        _ = try headers.callID()
        _ = try headers.cseq()
        _ = try headers.maxForwards()
        _ = try headers.contacts()
        _ = try headers.expires()
        _ = try headers.optionTags(.require)
        _ = try headers.contentType()
        _ = try headers.acceptedTypes()
        if let date = try headers.single(.date), !HTTPDate.isValid(date) {
            throw SIPHeaderError(header: "Date", detail: "'\(date)' is not an RFC 1123 date in GMT")
        }
    }
}

/// SIP-date = rfc1123-date, always "GMT" (RFC 3261 §20.17): `Sat, 13 Nov 2010 23:29:00 GMT`.
enum HTTPDate {
    static func isValid(_ text: String) -> Bool {
        let parts = text.split(separator: " ")
        let days = ["Mon,", "Tue,", "Wed,", "Thu,", "Fri,", "Sat,", "Sun,"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        guard parts.count == 6, days.contains(String(parts[0])), parts[1].count == 2, parts[1].allSatisfy(\.isNumber),
            months.contains(String(parts[2])), parts[3].count == 4, parts[3].allSatisfy(\.isNumber), parts[5] == "GMT"
        else { return false }
        let time = parts[4].split(separator: ":")
        return time.count == 3 && time.allSatisfy { $0.count == 2 && $0.allSatisfy(\.isNumber) }
    }
}
