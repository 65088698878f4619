/// One `;name=value` parameter of a header, or of a URI (then still escaped).
public struct SIPParameter: Sendable, Hashable {
    public var name: String
    /// nil for a parameter without `=`; a quoted value keeps its quotes.
    public var value: String?

    public init(name: String, value: String? = nil) {
        self.name = name
        self.value = value
    }
}

extension Array where Element == SIPParameter {
    /// The value of the first parameter with this name (case-insensitive), or
    /// `.some(nil)` when it has no value; nil when absent.
    public subscript(parameter name: String) -> String?? {
        guard let parameter = first(where: { $0.name.lowercased() == name.lowercased() }) else { return nil }
        return .some(parameter.value)
    }

    var serialized: String {
        map { ";" + $0.name + ($0.value.map { "=" + $0 } ?? "") }.joined()
    }
}
