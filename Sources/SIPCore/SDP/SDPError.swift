/// Why a session description was refused: the line and what is wrong with it.
public struct SDPError: Error, Hashable, Sendable, CustomStringConvertible {
    public let line: Int?
    public let detail: String

    init(line: Int? = nil, _ detail: String) {
        self.line = line
        self.detail = detail
    }

    public var description: String {
        (line.map { "SDP line \($0): " } ?? "SDP: ") + detail
    }
}
