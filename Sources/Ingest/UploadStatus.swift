/// Where an upload stands, as the receiver reports it.
public struct UploadStatus: Sendable, Hashable {
    public var id: String
    /// Bytes durably stored.
    public var offset: Int
    public var complete: Bool
}
