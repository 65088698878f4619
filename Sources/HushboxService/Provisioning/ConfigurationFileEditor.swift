import Foundation
internal import PrivateFiles
internal import Yams

/// The YAML configuration file as `hushbox provision` edits it: the keys a
/// bundle or the technician sets are merged into what the file already says,
/// so re-running provisioning changes only what it was asked to change.
public struct ConfigurationFileEditor: Sendable {
    public let path: String
    /// Every value the file sets, by dotted key.
    public private(set) var values: [String: BundleSetting]

    static let maximumBytes = 256 * 1024

    /// Reads the file; a missing file is an empty configuration.
    public init(path: String) throws(BundleError) {
        self.path = path
        let bytes: [UInt8]
        do {
            bytes = try BoundedFile.read(path, limit: Self.maximumBytes)
        } catch .missing {
            values = [:]
            return
        } catch {
            throw BundleError("\(path): \(error.reason)")
        }
        guard let text = String(validating: bytes, as: UTF8.self) else { throw BundleError("\(path): not UTF-8 text") }
        let loaded: Any?
        do {
            loaded = try Yams.load(yaml: text)
        } catch {
            throw BundleError("\(path): not valid YAML (\(error)); fix or remove it, then provision again")
        }
        var values: [String: BundleSetting] = [:]
        if let loaded {
            guard let mapping = loaded as? [String: Any] else { throw BundleError("\(path): the top level must be a mapping of sections") }
            try Self.flatten(mapping, under: [], into: &values, path: path)
        }
        self.values = values
    }

    /// Sets `key` to `value`.
    public mutating func set(_ key: String, _ value: BundleSetting) {
        values[key] = value
    }

    /// Drops every value whose key `keep` refuses.
    public mutating func keepOnly(_ keep: (String) -> Bool) {
        values = values.filter { keep($0.key) }
    }

    /// The file's text: nested sections, keys sorted, with a header saying who wrote it.
    public func text(header: String) throws -> String {
        var root: [String: Any] = [:]
        for (key, value) in values {
            Self.insert(value.yamlValue, at: key.split(separator: ".").map(String.init), into: &root)
        }
        // The header is one comment line whatever it was given: a line break would start YAML of its own.
        let header = String(header.map { $0.isNewline || $0.asciiValue.map { $0 < 0x20 } == true ? " " : $0 })
        return "# \(header)\n# docs/configuration.md lists every key. `hushbox provision` keeps what it was not asked to change.\n"
            + (try Yams.dump(object: root, sortKeys: true))
    }

    /// Writes the file (0644: it holds no secrets) atomically.
    public func write(header: String) throws {
        try AtomicFile.replace(path, contents: Array(try text(header: header).utf8), permissions: 0o644)
    }

    private static func flatten(_ mapping: [String: Any], under parent: [String], into values: inout [String: BundleSetting], path: String) throws(BundleError) {
        for (name, value) in mapping {
            let components = parent + name.split(separator: ".").map(String.init)
            let key = components.joined(separator: ".")
            switch value {
            case let nested as [String: Any]: try flatten(nested, under: components, into: &values, path: path)
            case let flag as Bool: values[key] = .flag(flag)
            case let integer as Int: values[key] = .integer(integer)
            case let text as String: values[key] = .text(text)
            case let list as [Any]: values[key] = .list(list.map { "\($0)" })
            case is NSNull: continue
            default: values[key] = .text("\(value)")
            }
        }
    }

    private static func insert(_ value: Any, at components: [String], into mapping: inout [String: Any]) {
        guard let first = components.first else { return }
        if components.count == 1 {
            mapping[first] = value
            return
        }
        var nested = mapping[first] as? [String: Any] ?? [:]
        insert(value, at: Array(components.dropFirst()), into: &nested)
        mapping[first] = nested
    }
}
