import Foundation

/// Checks a JSON value against the part of JSON Schema (2020-12) that
/// docs/subject-export.schema.json uses: objects with `properties`, `required`
/// and `additionalProperties: false`, arrays with `items`, `$ref` into
/// `$defs`, `enum`, `const` and the basic types. Returns every violation, by path.
struct JSONSchemaCheck {
    let root: [String: Any]

    init(file: String) throws {
        root = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: file))) as? [String: Any] ?? [:]
    }

    func violations(of value: Any) -> [String] {
        check(value, against: root, at: "$")
    }

    private func resolve(_ schema: [String: Any]) -> [String: Any] {
        guard let reference = schema["$ref"] as? String, reference.hasPrefix("#/$defs/") else { return schema }
        let name = String(reference.dropFirst("#/$defs/".count))
        return ((root["$defs"] as? [String: Any])?[name] as? [String: Any]) ?? [:]
    }

    private func check(_ value: Any, against raw: [String: Any], at path: String) -> [String] {
        let schema = resolve(raw)
        var problems: [String] = []
        if let constant = schema["const"], "\(constant)" != "\(value)" { problems.append("\(path): \(value) is not \(constant)") }
        if let choices = schema["enum"] as? [Any], !choices.contains(where: { "\($0)" == "\(value)" }) { problems.append("\(path): \(value) is not one of \(choices)") }
        switch schema["type"] as? String {
        case "object":
            guard let object = value as? [String: Any] else { return problems + ["\(path): not an object"] }
            let properties = schema["properties"] as? [String: Any] ?? [:]
            for name in schema["required"] as? [String] ?? [] where object[name] == nil { problems.append("\(path).\(name): required, missing") }
            for (name, member) in object {
                if let property = properties[name] as? [String: Any] {
                    problems += check(member, against: property, at: "\(path).\(name)")
                } else if schema["additionalProperties"] as? Bool == false {
                    problems.append("\(path).\(name): not in the documented schema")
                } else if let additional = schema["additionalProperties"] as? [String: Any] {
                    problems += check(member, against: additional, at: "\(path).\(name)")
                }
            }
        case "array":
            guard let array = value as? [Any] else { return problems + ["\(path): not an array"] }
            if let items = schema["items"] as? [String: Any] {
                for (index, element) in array.enumerated() { problems += check(element, against: items, at: "\(path)[\(index)]") }
            }
        case "string":
            if !(value is String) { problems.append("\(path): not a string") }
        case "integer":
            if !(value is Int) { problems.append("\(path): not an integer") }
        case "boolean":
            if !(value is Bool) { problems.append("\(path): not a boolean") }
        default:
            break
        }
        return problems
    }
}
