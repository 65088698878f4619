/// What an uplink request does, bound into its signature (uplink protocol 2):
/// the method, the path and, for a chunk, the `Upload-Offset`. A signature made
/// for one request then fails on any other: an upload announcement replayed to
/// `/v1/erasures`, a chunk replayed to another upload or offset, a HEAD sent
/// with another request's headers.
public struct SignedTarget: Sendable, Hashable {
    public var method: String
    public var path: String
    public var offset: Int?

    public init(method: String, path: String, offset: Int? = nil) {
        self.method = method
        self.path = path
        self.offset = offset
    }

    /// The line signed between the timestamp and the body: `METHOD SP path SP offset`,
    /// with `-` for a request without an offset.
    var signedLine: String {
        "\(method) \(path) \(offset.map(String.init) ?? "-")"
    }
}
