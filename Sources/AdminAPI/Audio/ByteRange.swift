/// What a `Range` request header asks of a body of known length (RFC 9110 §14).
///
/// Only a single `bytes=` range is served as 206; several ranges, other units
/// or a header that does not parse are answered with the whole body (200),
/// which the RFC allows. A range that starts past the end is 416.
public enum ByteRange: Sendable, Hashable {
    /// No usable range: send everything with 200.
    case whole
    /// Send bytes `lower...upper` (inclusive) with 206 and `Content-Range`.
    case partial(lower: Int, upper: Int)
    /// 416 with `Content-Range: bytes */length`.
    case unsatisfiable

    /// At most this many characters of the header are looked at.
    static let maximumHeaderLength = 200

    public init(header: String?, length: Int) {
        guard let header, header.utf8.count <= Self.maximumHeaderLength else {
            self = .whole
            return
        }
        let trimmed = header.trimmingWhitespace()
        guard trimmed.lowercased().hasPrefix("bytes=") else {
            self = .whole
            return
        }
        let spec = trimmed.dropFirst(6).trimmingWhitespace()
        guard !spec.contains(","), let dash = spec.firstIndex(of: "-") else {
            self = .whole
            return
        }
        let first = spec[..<dash].trimmingWhitespace()
        let last = spec[spec.index(after: dash)...].trimmingWhitespace()
        switch (Self.number(first), Self.number(last)) {
        case (nil, let suffix?) where first.isEmpty:
            // bytes=-N: the last N bytes.
            guard suffix > 0, length > 0 else {
                self = .unsatisfiable
                return
            }
            self = .partial(lower: max(0, length - suffix), upper: length - 1)
        case (let lower?, nil) where last.isEmpty:
            self = lower < length ? .partial(lower: lower, upper: length - 1) : .unsatisfiable
        case (let lower?, let upper?) where lower <= upper:
            self = lower < length ? .partial(lower: lower, upper: min(upper, length - 1)) : .unsatisfiable
        default:
            self = .whole
        }
    }

    /// A decimal of at most 15 digits (no sign, no overflow), or nil.
    private static func number(_ text: Substring) -> Int? {
        guard !text.isEmpty, text.count <= 15, text.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(text)
    }
}

extension StringProtocol {
    fileprivate func trimmingWhitespace() -> Substring {
        let characters = Substring(self)
        let start = characters.firstIndex { $0 != " " && $0 != "\t" } ?? characters.endIndex
        let end = characters.lastIndex { $0 != " " && $0 != "\t" }.map { characters.index(after: $0) } ?? start
        return characters[start..<Swift.max(start, end)]
    }
}
