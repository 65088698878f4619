/// One configuration value a provisioning bundle sets: what a YAML scalar or a
/// list of scalars can say, and nothing more (no nested documents, no nulls).
public enum BundleSetting: Sendable, Hashable, Codable {
    case text(String)
    case integer(Int)
    case flag(Bool)
    case list([String])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let flag = try? container.decode(Bool.self) {
            self = .flag(flag)
        } else if let integer = try? container.decode(Int.self) {
            self = .integer(integer)
        } else if let text = try? container.decode(String.self) {
            self = .text(text)
        } else if let list = try? container.decode([String].self) {
            self = .list(list)
        } else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "a setting is a string, an integer, true or false, or a list of strings")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .text(let text): try container.encode(text)
        case .integer(let integer): try container.encode(integer)
        case .flag(let flag): try container.encode(flag)
        case .list(let list): try container.encode(list)
        }
    }

    /// The value as the YAML file holds it.
    var yamlValue: Any {
        switch self {
        case .text(let text): text
        case .integer(let integer): integer
        case .flag(let flag): flag
        case .list(let list): list
        }
    }
}
