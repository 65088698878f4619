/// The `HUSHBOX_*` variables of an environment, each matched to the setting it
/// overrides. An unknown `HUSHBOX_*` name is refused rather than ignored: a
/// technician who types `HUSHBOX_OPS_PROT=9000` must hear about it.
struct EnvironmentOverrides {
    static let prefix = "HUSHBOX_"

    /// The overriding variables, by name, with their values.
    let variables: [String: String]
    /// The settings those variables override, by key.
    let overriddenKeys: [String: String]

    init(environment: [String: String]) throws(ConfigurationError) {
        let byVariable = Dictionary(uniqueKeysWithValues: ConfigurationSchema.all.filter { !$0.isPattern }.map { ($0.environmentVariable, $0) })
        var variables: [String: String] = [:]
        var overriddenKeys: [String: String] = [:]
        // Sorted, so that with two unknown variables the same one is reported every time.
        for (name, value) in environment.sorted(by: { $0.key < $1.key }) where name.hasPrefix(Self.prefix) {
            guard let setting = byVariable[name] else {
                throw .unknownEnvironmentVariable(name, suggestion: ClosestName.match(for: name, among: byVariable.keys))
            }
            variables[name] = value
            overriddenKeys[setting.key] = name
        }
        self.variables = variables
        self.overriddenKeys = overriddenKeys
    }
}
