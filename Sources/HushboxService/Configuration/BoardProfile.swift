import Foundation
internal import Yams

/// A line board's profile (`board/<name>.yaml`): the hardware keys of the
/// line (devices, GPIO chip, lines and polarity, control, rings) for one kind
/// of box, loaded by `line.board` as defaults below the file's own `line.*`
/// keys. A profile is data from disk, so it is bounded and checked like the
/// file: a regular file of at most 64 KiB, hardware keys only (never the
/// mailbox), each value checked by its setting's kind when it is read.
enum BoardProfile {
    static let maximumBytes = 64 * 1024

    /// The profile's values by dotted key, and the file they came from.
    static func load(named name: String, in directory: String) throws(ConfigurationError) -> (path: String, values: [String: SettingValue]) {
        let setting = ConfigurationSchema.lineBoard
        guard ConfigurationSetting.isName(name) else {
            throw .invalidValue(setting, value: name, from: .defaultValue, problem: "is not a board name (letters, digits, - and _)")
        }
        let path = directory + "/" + name + ".yaml"
        var status = stat()
        guard lstat(path, &status) == 0 else {
            let known = boards(in: directory)
            let hint = ClosestName.match(for: name, among: known).map { " Did you mean \"\($0)\"?" } ?? ""
            throw .invalidValue(
                setting, value: name, from: .board(path: path),
                problem: "names no profile in \(directory).\(hint) Profiles there: \(known.isEmpty ? "none" : known.joined(separator: ", "))"
            )
        }
        guard status.st_mode & S_IFMT == S_IFREG else {
            throw .invalidValue(setting, value: name, from: .board(path: path), problem: "is not a regular file (a link or a device is refused)")
        }
        guard status.st_size <= maximumBytes else {
            throw .invalidValue(setting, value: name, from: .board(path: path), problem: "is larger than 64 KiB")
        }
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw .fileUnreadable(path, reason: PathProblem.reason(forReading: path, failure: error))
        }
        let document: Any?
        do {
            document = try Yams.load(yaml: text)
        } catch {
            throw .malformedYAML(path, detail: String(describing: error))
        }
        guard let top = document as? [String: Any], top.count == 1, let line = top["line"] as? [String: Any] else {
            throw .malformedYAML(path, detail: "a board profile holds one mapping, line:, of hardware keys")
        }
        let allowed = Set(ConfigurationSchema.lineHardwareSettings.map(\.key))
        var values: [String: SettingValue] = [:]
        for (key, value) in line {
            let dotted = "line." + key
            guard allowed.contains(dotted) else {
                throw .unknownKey(dotted, in: .board(path: path), suggestion: ClosestName.match(for: dotted, among: allowed))
            }
            switch value {
            case let boolean as Bool: values[dotted] = .boolean(boolean)
            case let integer as Int: values[dotted] = .integer(integer)
            case let text as String: values[dotted] = .text(text)
            default:
                throw .malformedYAML(path, detail: "\(dotted) must be a single value")
            }
        }
        return (path, values)
    }

    /// The profiles a directory holds, by name.
    static func boards(in directory: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { $0.hasSuffix(".yaml") }.map { String($0.dropLast(5)) }.sorted()
    }
}
