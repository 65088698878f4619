/// The `Digest k=v, k="v", …` syntax shared by challenges and credentials
/// (RFC 7616 §3.3, §3.4; RFC 3261 §25.1).
enum DigestParameters {
    static func parse(_ value: String) throws(SIPHeaderError.Problem) -> [String: String] {
        let trimmed = value.trimmingLWS
        guard trimmed.lowercased().hasPrefix("digest "), trimmed.count > 7 else {
            throw .init("the scheme is not Digest")
        }
        var result: [String: String] = [:]
        for element in try HeaderValueScanner.splitList(String(trimmed.dropFirst(7))) where !element.isEmpty {
            guard let equals = element.firstIndex(of: "=") else { throw .init("'\(element.prefix(30))' is not name=value") }
            let name = element[..<equals].trimmingLWS.lowercased()
            var raw = element[element.index(after: equals)...].trimmingLWS
            if raw.hasPrefix("\"") { raw = try QuotedString.unquote(raw) }
            guard SIPGrammar.isToken(name), result[name] == nil else { throw .init("parameter '\(name)' is malformed or repeated") }
            result[name] = raw
        }
        return result
    }

    static func serialize(_ pairs: [(String, String, quoted: Bool)]) -> String {
        "Digest " + pairs.map { name, value, quoted in name + "=" + (quoted ? QuotedString.quote(value) : value) }.joined(separator: ", ")
    }
}
