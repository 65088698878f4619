/// An SDP session description (RFC 8866): the lines Hushbox reads and writes
/// as values, every other line kept in order so nothing is lost.
public struct SessionDescription: Sendable, Hashable {
    public struct Origin: Sendable, Hashable {
        public var username: String
        public var sessionID: String
        public var sessionVersion: String
        public var address: String
        public var addressType: String

        public init(username: String = "-", sessionID: String, sessionVersion: String, address: String, addressType: String = "IP4") {
            self.username = username
            self.sessionID = sessionID
            self.sessionVersion = sessionVersion
            self.address = address
            self.addressType = addressType
        }
    }

    public struct Connection: Sendable, Hashable {
        public var addressType: String
        public var address: String

        public init(addressType: String = "IP4", address: String) {
            self.addressType = addressType
            self.address = address
        }

        /// `c=IN IP4 0.0.0.0`: the RFC 2543 way to put a call on hold.
        public var isHoldAddress: Bool { address == "0.0.0.0" }
    }

    public var origin: Origin
    public var sessionName: String
    public var connection: Connection?
    public var attributes: [SDPAttribute]
    /// Session-level lines other than v o s c t a (b=, i=, u=, e=, p=, z=, k=, r=), in order.
    public var otherLines: [String]
    public var timing: String
    public var media: [MediaDescription]

    public init(
        origin: Origin, sessionName: String = "-", connection: Connection? = nil, attributes: [SDPAttribute] = [],
        otherLines: [String] = [], timing: String = "0 0", media: [MediaDescription] = []
    ) {
        self.origin = origin
        self.sessionName = sessionName
        self.connection = connection
        self.attributes = attributes
        self.otherLines = otherLines
        self.timing = timing
        self.media = media
    }
}

/// `a=name` or `a=name:value`.
public struct SDPAttribute: Sendable, Hashable {
    public var name: String
    public var value: String?

    public init(_ name: String, _ value: String? = nil) {
        self.name = name
        self.value = value
    }

    var line: String { "a=" + name + (value.map { ":" + $0 } ?? "") }
}

/// One `m=` section.
public struct MediaDescription: Sendable, Hashable {
    public var media: String
    public var port: Int
    public var portCount: Int?
    public var transportProtocol: String
    public var formats: [String]
    public var connection: SessionDescription.Connection?
    public var attributes: [SDPAttribute]
    /// i=, b=, k= lines of the section, in order.
    public var otherLines: [String]

    public init(
        media: String, port: Int, portCount: Int? = nil, transportProtocol: String, formats: [String],
        connection: SessionDescription.Connection? = nil, attributes: [SDPAttribute] = [], otherLines: [String] = []
    ) {
        self.media = media
        self.port = port
        self.portCount = portCount
        self.transportProtocol = transportProtocol
        self.formats = formats
        self.connection = connection
        self.attributes = attributes
        self.otherLines = otherLines
    }

    public func attributeValues(_ name: String) -> [String] {
        attributes.filter { $0.name.lowercased() == name.lowercased() }.compactMap(\.value)
    }

    public func hasAttribute(_ name: String) -> Bool {
        attributes.contains { $0.name.lowercased() == name.lowercased() }
    }

    /// Whether the profile is secure RTP (RFC 3711 SAVP and its feedback/DTLS variants).
    public var isSecureProfile: Bool {
        transportProtocol.uppercased().contains("SAVP")
    }
}
