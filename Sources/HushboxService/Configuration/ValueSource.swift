/// Where an effective configuration value came from, so that an error or the
/// `hushbox config check` report can point at the line to change.
public enum ValueSource: Sendable, Hashable, CustomStringConvertible {
    case defaultValue
    case developmentProfile
    case file(path: String)
    case environment(variable: String)
    /// A line board's profile (`line.board`).
    case board(path: String)

    public var description: String {
        switch self {
        case .defaultValue: "the default"
        case .developmentProfile: "the development configuration"
        case .file(let path): path
        case .environment(let variable): "environment variable \(variable)"
        case .board(let path): "the board profile \(path)"
        }
    }
}
