/// What the exchange said about the caller.
public enum CallerID: Sendable, Hashable {
    /// The number as the exchange sent it: digits, at most 20, maybe a leading `+`.
    /// Personal data: never logged.
    case number(String)
    /// The caller withheld it ("P", private).
    case withheld
    /// The exchange does not have it ("O", out of area or unavailable).
    case unavailable
}
