/// One `a=rtpmap:<pt> <encoding>/<clock>[/<channels>]`, or the static mapping
/// of payload types 0 and 8.
public struct RTPMap: Sendable, Hashable {
    public var payloadType: Int
    public var encodingName: String
    public var clockRate: Int
    public var channels: Int?

    public init(payloadType: Int, encodingName: String, clockRate: Int, channels: Int? = nil) {
        self.payloadType = payloadType
        self.encodingName = encodingName
        self.clockRate = clockRate
        self.channels = channels
    }

    var attributeValue: String {
        "\(payloadType) \(encodingName)/\(clockRate)" + (channels.map { "/\($0)" } ?? "")
    }
}

extension MediaDescription {
    /// The payload types of the m= line with their mappings (static ones filled in).
    public var rtpMaps: [RTPMap] {
        var explicit: [Int: RTPMap] = [:]
        for value in attributeValues("rtpmap") {
            let parts = value.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, let type = Int(parts[0]) else { continue }
            let encoding = parts[1].split(separator: "/")
            guard encoding.count >= 2, let rate = Int(encoding[1]) else { continue }
            explicit[type] = RTPMap(
                payloadType: type, encodingName: String(encoding[0]), clockRate: rate,
                channels: encoding.count > 2 ? Int(encoding[2]) : nil
            )
        }
        return formats.compactMap { format in
            guard let type = Int(format), (0...127).contains(type) else { return nil }
            if let map = explicit[type] { return map }
            switch type {
            case 0: return RTPMap(payloadType: 0, encodingName: "PCMU", clockRate: 8_000)
            case 8: return RTPMap(payloadType: 8, encodingName: "PCMA", clockRate: 8_000)
            default: return nil
            }
        }
    }

    /// The `a=fmtp:` parameters of a payload type.
    public func formatParameters(payloadType: Int) -> String? {
        attributeValues("fmtp").first { $0.hasPrefix("\(payloadType) ") }.map { String($0.dropFirst("\(payloadType) ".count)) }
    }
}
