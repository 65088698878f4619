import Foundation

/// An `application/x-www-form-urlencoded` body as the console's forms send
/// it, read within bounds: a form is small, so anything larger, with more
/// fields, or not decodable as UTF-8 is refused rather than guessed at.
struct FormBody: Sendable, Equatable {
static let maximumBytes = 16 * 1024
static let maximumFields = 32

enum Refusal: Error, Equatable, CustomStringConvertible {
        case tooLarge
        case tooManyFields
        case malformed

        var description: String {
            switch self {
            case .tooLarge: "the form is larger than \(FormBody.maximumBytes) bytes"
            case .tooManyFields: "the form has more than \(FormBody.maximumFields) fields"
            case .malformed: "the form is not URL-encoded UTF-8"
            }
        }
    }

    /// The first value of each name; later repeats are ignored.
let fields: [String: String]

init(_ bytes: some Collection<UInt8>) throws(Refusal) {
        guard bytes.count <= Self.maximumBytes else { throw .tooLarge }
        guard let text = String(validating: Array(bytes), as: UTF8.self) else { throw .malformed }
        var fields: [String: String] = [:]
        let pairs = text.split(separator: "&", omittingEmptySubsequences: true)
        guard pairs.count <= Self.maximumFields else { throw .tooManyFields }
        for pair in pairs {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = try Self.decode(parts[0]), value = try Self.decode(parts.count > 1 ? parts[1] : "")
            if fields[name] == nil { fields[name] = value }
        }
        self.fields = fields
    }

subscript(_ name: String) -> String? { fields[name] }

    /// The field with surrounding blanks removed, or nil when it is empty.
func text(_ name: String) -> String? {
        guard let value = fields[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else { return nil }
        return value
    }

    static func decode(_ part: Substring) throws(Refusal) -> String {
        guard let decoded = part.replacingOccurrences(of: "+", with: " ").removingPercentEncoding else { throw .malformed }
        return decoded
    }
}
