import Foundation

/// The API's JSON as the plain values a Mustache template reads: dictionaries,
/// arrays, strings, integers, doubles and booleans. Each ISO 8601 time also
/// gets a `<name>_text` beside it, written the way a person reads it.
enum ConsoleJSON {
    private enum Value: Decodable {
        case object([String: Value])
        case array([Value])
        case string(String)
        case integer(Int)
        case number(Double)
        case boolean(Bool)
        case null

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if container.decodeNil() { self = .null }
            else if let value = try? container.decode(Bool.self) { self = .boolean(value) }
            else if let value = try? container.decode(Int.self) { self = .integer(value) }
            else if let value = try? container.decode(Double.self) { self = .number(value) }
            else if let value = try? container.decode(String.self) { self = .string(value) }
            else if let value = try? container.decode([Value].self) { self = .array(value) }
            else { self = .object(try container.decode([String: Value].self)) }
        }

        var plain: Any {
            switch self {
            case .object(let members):
                var result: [String: Any] = [:]
                for (name, value) in members {
                    result[name] = value.plain
                    if case .string(let text) = value, let time = ConsoleJSON.readableTime(text) { result[name + "_text"] = time }
                }
                return result
            case .array(let items): return items.map(\.plain)
            case .string(let text): return text
            case .integer(let number): return number
            case .number(let number): return number
            case .boolean(let flag): return flag
            case .null: return NSNull()
            }
        }
    }

    static func values(from data: Data) throws -> Any {
        try JSONDecoder().decode(Value.self, from: data).plain
    }

    /// "2026-12-06T15:40:12Z" as "2026-12-06 15:40 UTC"; nil for anything that is not such a time.
    static func readableTime(_ text: String) -> String? {
        guard text.count == 20, text.hasSuffix("Z"), text.dropFirst(10).first == "T",
            (try? Date.ISO8601FormatStyle().parse(text)) != nil
        else { return nil }
        return "\(text.prefix(10)) \(text.dropFirst(11).prefix(5)) UTC"
    }
}
