/// Checks a parsed response before the transaction layer sees it: a response
/// whose Via, From, To, Call-ID or CSeq is malformed (RFC 4475 scalarlg) is
/// dropped, never answered.
public enum SIPResponseValidator {
    /// Nil when the response may be matched to a transaction; otherwise why it is dropped.
    public static func problem(with response: SIPResponse) -> SIPHeaderError? {
        do {
            guard !(try response.headers.vias()).isEmpty else { return SIPHeaderError(header: "Via", detail: "is missing") }
            for required in [SIPHeaderName.to, .from, .callID, .cseq] where !response.headers.contains(required) {
                return SIPHeaderError(header: required.canonical, detail: "is missing")
            }
            _ = try response.headers.to()
            _ = try response.headers.from()
            _ = try response.headers.callID()
            _ = try response.headers.cseq()
            return nil
        } catch {
            return error
        }
    }
}
