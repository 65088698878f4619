public import Foundation

/// The Retry-After header (RFC 9110 §10.2.3): delay-seconds or an HTTP-date.
public enum RetryAfter {
    /// The wait it asks for from `now`; nil when the value is neither form.
    /// A date in the past asks for no wait.
    public static func parse(_ value: String, now: Date) -> Duration? {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        if !trimmed.isEmpty, trimmed.allSatisfy(\.isASCIIDigit) {
            // Too many digits for Int64 is still a (very long) wait; the schedule bounds it.
            return Int64(trimmed).map { .seconds($0) } ?? .seconds(Int64.max)
        }
        guard let date = httpDate(trimmed) else { return nil }
        return .milliseconds(Int64(max(0, date.timeIntervalSince(now)) * 1000))
    }

    /// IMF-fixdate, the form senders must use ("Sun, 06 Nov 1994 08:49:37 GMT").
    static func httpDate(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.date(from: text)
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
