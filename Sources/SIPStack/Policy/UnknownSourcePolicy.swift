/// What the box does with a message from an address that is no peer's.
public enum UnknownSourcePolicy: String, Sendable, Hashable, CaseIterable {
    /// Nothing: no answer, no state, a counter and a line a minute at most. A
    /// scanner learns nothing, and a spoofed source costs a table lookup.
    case drop
    /// A 403 sent without a transaction (RFC 3261 §8.2.6 allows a stateless
    /// answer), for operators who want a misconfigured peer to see why; still
    /// rate limited, and a scanner's user agent or repeated failures block the source.
    case refuse
}
