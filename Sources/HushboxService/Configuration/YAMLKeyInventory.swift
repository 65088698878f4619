internal import Yams

/// The keys a YAML configuration file sets, checked against the schema.
///
/// swift-configuration reads values by key but cannot list the keys a file holds,
/// so a misspelt key would silently leave its setting at the default. This walks
/// the YAML tree once to find every key and refuses any the schema does not know.
struct YAMLKeyInventory {
    /// The dotted keys of every value the file sets.
    let keys: Set<String>

    init(yaml: String, path: String) throws(ConfigurationError) {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch {
            throw .malformedYAML(path, detail: String(describing: error))
        }
        var keys = Set<String>()
        if let root, !root.isNull {
            guard case .mapping(let mapping) = root else {
                throw .malformedYAML(path, detail: "the top level must be a mapping of sections such as \"device:\" and \"ops:\"")
            }
            try Self.collect(mapping, under: [], path: path, into: &keys)
        }
        self.keys = keys
    }

    private static func collect(
        _ mapping: Node.Mapping, under parent: [String], path: String, into keys: inout Set<String>
    ) throws(ConfigurationError) {
        let source = ValueSource.file(path: path)
        for (keyNode, value) in mapping {
            guard case .scalar(let scalar) = keyNode else {
                throw .malformedYAML(path, detail: "a key under \"\(parent.joined(separator: "."))\" is not a plain name")
            }
            // A dotted YAML key ("ops.port: 1") means the same as nesting, as it does
            // for swift-configuration's YAML snapshot.
            let components = parent + scalar.string.split(separator: ".").map(String.init)
            let key = components.joined(separator: ".")
            let isSetting = ConfigurationSchema.setting(forKey: key) != nil
            let isSection = ConfigurationSchema.isSection(key)
            switch value {
            case .mapping(let nested):
                if isSection {
                    try collect(nested, under: components, path: path, into: &keys)
                } else if let setting = ConfigurationSchema.setting(forKey: key) {
                    throw .invalidValue(setting, value: nil, from: source, problem: "is a section")
                } else {
                    throw .unknownKey(key, in: source, suggestion: suggestion(for: key))
                }
            case .scalar, .sequence, .alias:
                if isSetting {
                    keys.insert(key)
                } else if isSection {
                    // "ops:" with every key commented out is an empty section, not an error.
                    guard value.isNull else { throw .notASection(key, in: source) }
                } else {
                    throw .unknownKey(key, in: source, suggestion: suggestion(for: key))
                }
            }
        }
    }

    private static func suggestion(for key: String) -> String? {
        ClosestName.match(for: key, among: ConfigurationSchema.all.map(\.key) + ConfigurationSchema.sections)
    }
}

extension Node {
    fileprivate var isNull: Bool {
        if case .scalar(let scalar) = self {
            return scalar.style == .plain && ["", "~", "null", "Null", "NULL"].contains(scalar.string)
        }
        return false
    }
}
