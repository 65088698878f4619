public import SIPCore
public import Vault

/// How a peer writes telephone numbers in its Request-URIs and headers, so
/// that `4930111222` from one German trunk, `004930111222` from another and
/// `030111222` from a third all become `+4930111222` before a mailbox is
/// looked up, a caller's country decides on consent, or a number is sealed.
/// A number written with `+` is E.164 in every format.
public enum CarrierNumberFormat: Sendable, Hashable {
    /// `+4930111222` only.
    case e164
    /// `4930111222`: the country code and the number, no prefix.
    case international
    /// `004930111222`: this international prefix before the country code.
    case internationalPrefix(String)
    /// `030111222` as dialled inside the plan's country; numbers abroad with
    /// its international prefix (`0044…` from Germany).
    case national(NumberingPlan)

    /// What a peer that says nothing is taken to send: E.164 or the European international prefix.
    public static let `default` = CarrierNumberFormat.internationalPrefix("00")

    /// The number `raw` means in this format, or nil when it is not a
    /// telephone number written this way (an extension, a name, a number
    /// without its area code).
    public func normalise(_ raw: String) -> PhoneNumber? {
        // "+49 (0)30 …": the (0) is the trunk prefix, not dialled from abroad;
        // visual separators (RFC 3966 §5.1.1) carry no meaning.
        let written = Self.withoutTrunkMark(raw).filter { !" -.()/\u{00A0}".contains($0) }
        guard !written.isEmpty, written.count <= 32 else { return nil }
        if written.hasPrefix("+") { return Self.e164(written.dropFirst()) }
        guard written.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        switch self {
        case .e164:
            return nil
        case .international:
            return Self.e164(Substring(written))
        case .internationalPrefix(let prefix):
            guard written.hasPrefix(prefix) else { return nil }
            return Self.e164(written.dropFirst(prefix.count))
        case .national(let plan):
            if written.hasPrefix(plan.internationalPrefix) {
                return Self.e164(written.dropFirst(plan.internationalPrefix.count))
            }
            guard let trunk = plan.trunkPrefix else { return Self.e164(Substring(plan.callingCode + written)) }
            if written.hasPrefix(trunk) { return Self.e164(Substring(plan.callingCode + written.dropFirst(trunk.count))) }
            return plan.trunkPrefixOptional ? Self.e164(Substring(plan.callingCode + written)) : nil
        }
    }

    /// The number a URI's user part or tel URI names, read in this format, with
    /// RFC 3966's parameters taken into account: an extension (`ext`, `isub`)
    /// is not the number's own line, so it is no number here; a local number's
    /// global `phone-context` must be this format's country, or it is not read.
    public func normalise(_ uri: URI) -> PhoneNumber? {
        guard let written = uri.userPart else { return nil }
        let parts = written.split(separator: ";", omittingEmptySubsequences: false)
        var context: String?
        for parameter in parts.dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.lowercased() }
            switch pair.first {
            case "ext", "isub": return nil
            case "phone-context": context = pair.count == 2 ? pair[1] : ""
            default: continue
            }
        }
        let subscriber = String(parts[0])
        if let context, !subscriber.hasPrefix("+"), context.hasPrefix("+") {
            guard case .national(let plan) = self, context.dropFirst().filter(\.isNumber) == plan.callingCode else { return nil }
        }
        return normalise(subscriber)
    }

    /// `text` without any "(0)".
    static func withoutTrunkMark(_ text: String) -> String {
        var result = ""
        var rest = Substring(text)
        while let range = rest.firstRange(of: "(0)") {
            result += rest[..<range.lowerBound]
            rest = rest[range.upperBound...]
        }
        return result + rest
    }

    private static func e164(_ digits: Substring) -> PhoneNumber? {
        guard digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return try? PhoneNumber("+" + digits)
    }
}
