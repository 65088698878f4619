import Foundation
internal import PrivateFiles
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
        let text = try contents(of: path, name: name)
        let root: Node?
        do {
            // Composed, not loaded: an alias is refused below rather than expanded.
            root = try Yams.compose(yaml: text)
        } catch {
            throw .malformedYAML(path, detail: String(describing: error))
        }
        guard case .mapping(let top) = root, top.count == 1, case .scalar(let section) = top.keys.first, section.string == "line",
            case .mapping(let line) = top.values.first
        else {
            throw .malformedYAML(path, detail: "a board profile holds one mapping, line:, of hardware keys")
        }
        let allowed = Set(ConfigurationSchema.lineHardwareSettings.map(\.key))
        var values: [String: SettingValue] = [:]
        for (keyNode, valueNode) in line {
            guard case .scalar(let key) = keyNode else { throw .malformedYAML(path, detail: "a key under line: is not a plain name") }
            let dotted = "line." + key.string
            guard allowed.contains(dotted) else {
                throw .unknownKey(dotted, in: .board(path: path), suggestion: ClosestName.match(for: dotted, among: allowed))
            }
            guard case .scalar(let value) = valueNode else { throw .malformedYAML(path, detail: "\(dotted) must be a single value") }
            switch value.string {
            case "true": values[dotted] = .boolean(true)
            case "false": values[dotted] = .boolean(false)
            default: values[dotted] = Int(value.string).map(SettingValue.integer) ?? .text(value.string)
            }
        }
        return (path, values)
    }

    /// The profile's text: a regular file (never a link, a FIFO or a device), at most 64 KiB.
    private static func contents(of path: String, name: String) throws(ConfigurationError) -> String {
        let setting = ConfigurationSchema.lineBoard
        let bytes: [UInt8]
        do {
            bytes = try BoundedFile.read(path, limit: maximumBytes)
        } catch .missing {
            let directory = (path as NSString).deletingLastPathComponent
            let known = boards(in: directory)
            let hint = ClosestName.match(for: name, among: known).map { " Did you mean \"\($0)\"?" } ?? ""
            throw .invalidValue(
                setting, value: name, from: .board(path: path),
                problem: "names no profile in \(directory).\(hint) Profiles there: \(known.isEmpty ? "none" : known.joined(separator: ", "))"
            )
        } catch {
            throw .invalidValue(setting, value: name, from: .board(path: path), problem: error.reason)
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw .malformedYAML(path, detail: "not UTF-8 text")
        }
        return text
    }

    /// The profiles a directory holds, by name.
    static func boards(in directory: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { $0.hasSuffix(".yaml") }.map { String($0.dropLast(5)) }.sorted()
    }
}
