public import Foundation

/// Protocol bodies decoded strictly: a JSON object with only the fields the
/// protocol names. A body meant for one route, or one carrying fields this
/// version does not know, is refused instead of read in part.
public struct UnknownFieldsError: Error, Hashable, Sendable, CustomStringConvertible {
    public let fields: [String]
    public let allowed: [String]

    public var description: String {
        "unknown fields \(fields.map { "\"\($0.prefix(40))\"" }.prefix(5).joined(separator: ", ")); this version takes only \(allowed.joined(separator: ", "))"
    }
}

enum StrictDecoding {
    static func decode<Body: Decodable>(_ type: Body.Type, from data: Data, fields: [String]) throws -> Body {
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw DecodingError.typeMismatch(Body.self, .init(codingPath: [], debugDescription: "the body must be one JSON object"))
        }
        let unknown = object.keys.filter { !fields.contains($0) }.sorted()
        guard unknown.isEmpty else { throw UnknownFieldsError(fields: unknown, allowed: fields) }
        return try JSONDecoder().decode(Body.self, from: data)
    }
}

extension NewUpload {
    /// An announcement with exactly the protocol's fields.
    public static func decodeStrictly(_ data: Data) throws -> NewUpload {
        try StrictDecoding.decode(NewUpload.self, from: data, fields: ["object_id", "kind", "length", "sha256", "sealing"])
    }
}

extension EraseNotice {
    /// An erase notice with exactly the protocol's fields.
    public static func decodeStrictly(_ data: Data) throws -> EraseNotice {
        try StrictDecoding.decode(EraseNotice.self, from: data, fields: ["object_id", "kind"])
    }
}
