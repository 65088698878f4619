import Foundation
import Hummingbird
import NIOCore

/// A JSON request body read with a size bound of its own (most are tiny) and
/// refused with a problem that says what did not parse.
enum JSONBody {
    static func decode<T: Decodable>(_ type: T.Type, from request: Request, context: AdminRequestContext, limit: Int) async throws -> T {
        guard request.headers[.contentType]?.lowercased().hasPrefix("application/json") ?? false else {
            throw Problem(.unsupportedMediaType, "unsupported-media-type", "JSON expected", "send the body as application/json")
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: limit)
        } catch {
            throw Problem(.contentTooLarge, "body-too-large", "Body too large", "this request's body may have at most \(limit) bytes")
        }
        do {
            return try context.requestDecoder.decode(T.self, from: Data(buffer.readableBytesView))
        } catch let DecodingError.keyNotFound(key, _) {
            throw Problem.invalid("the body lacks \"\(key.stringValue.snakeCased)\"")
        } catch let DecodingError.typeMismatch(_, where_) {
            throw Problem.invalid("\"\(where_.codingPath.map(\.stringValue.snakeCased).joined(separator: "."))\" has the wrong type")
        } catch {
            throw Problem.invalid("the body is not the JSON object this request takes (see docs/admin-api.yaml)")
        }
    }
}

extension String {
    /// `displayName` as the API spells it: `display_name`.
    var snakeCased: String {
        reduce(into: "") { result, character in
            if character.isUppercase {
                result += "_" + character.lowercased()
            } else {
                result.append(character)
            }
        }
    }
}
