/// Parses SDP text (RFC 8866 §5): `type=value` lines, CRLF or LF, `v=0`
/// first, then o, s, and a `t=`; media sections after the first `m=`.
public enum SDPParser {
    public static let maximumBytes = 16 * 1024

    public static func parse(_ bytes: [UInt8]) throws(SDPError) -> SessionDescription {
        guard bytes.count <= maximumBytes else { throw SDPError("the description is larger than \(maximumBytes) bytes") }
        guard let text = String(validating: bytes, as: UTF8.self) else { throw SDPError("the description is not UTF-8") }
        // "\r\n" is one Character in Swift, so split on either line end explicitly.
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
        while lines.last?.isEmpty == true { lines.removeLast() }
        guard lines.first == "v=0" else { throw SDPError(line: 1, "the first line must be v=0") }
        var origin: SessionDescription.Origin?
        var sessionName: String?
        var connection: SessionDescription.Connection?
        var timing: String?
        var attributes: [SDPAttribute] = []
        var otherLines: [String] = []
        var media: [MediaDescription] = []
        for (offset, line) in lines.enumerated().dropFirst() {
            let number = offset + 1
            guard line.count >= 2, line.dropFirst().first == "=", let type = line.first, type.isASCII, type.isLowercase else {
                throw SDPError(line: number, "'\(line.prefix(30))' is not a type=value line")
            }
            let value = String(line.dropFirst(2))
            if type == "m" {
                media.append(try parseMediaLine(value, line: number))
                continue
            }
            if !media.isEmpty {
                let index = media.count - 1
                switch type {
                case "c": media[index].connection = try parseConnection(value, line: number)
                case "a": media[index].attributes.append(parseAttribute(value))
                case "i", "b", "k": media[index].otherLines.append(String(line))
                default: throw SDPError(line: number, "'\(type)=' cannot appear in a media section")
                }
                continue
            }
            switch type {
            case "o": origin = try parseOrigin(value, line: number)
            case "s": sessionName = value
            case "c": connection = try parseConnection(value, line: number)
            case "t": timing = timing ?? value
            case "a": attributes.append(parseAttribute(value))
            case "i", "u", "e", "p", "b", "z", "k", "r": otherLines.append(String(line))
            default: throw SDPError(line: number, "unknown line type '\(type)='")
            }
        }
        guard let origin else { throw SDPError("the o= line is missing") }
        guard let sessionName else { throw SDPError("the s= line is missing") }
        guard let timing else { throw SDPError("the t= line is missing") }
        for section in media where section.connection == nil && connection == nil && section.port != 0 {
            throw SDPError("the \(section.media) section has no c= line and the session has none either")
        }
        return SessionDescription(
            origin: origin, sessionName: sessionName, connection: connection, attributes: attributes, otherLines: otherLines,
            timing: timing, media: media
        )
    }

    private static func parseOrigin(_ value: String, line: Int) throws(SDPError) -> SessionDescription.Origin {
        let fields = value.split(separator: " ")
        guard fields.count == 6, fields[3] == "IN" else { throw SDPError(line: line, "o= needs username sess-id sess-version IN addrtype address") }
        return .init(username: String(fields[0]), sessionID: String(fields[1]), sessionVersion: String(fields[2]), address: String(fields[5]), addressType: String(fields[4]))
    }

    private static func parseConnection(_ value: String, line: Int) throws(SDPError) -> SessionDescription.Connection {
        let fields = value.split(separator: " ")
        guard fields.count == 3, fields[0] == "IN", fields[1] == "IP4" || fields[1] == "IP6" else {
            throw SDPError(line: line, "c= must be 'IN IP4|IP6 address'")
        }
        // A multicast TTL suffix ("/127") is not used for calls; keep the address only.
        let address = fields[2].split(separator: "/").first.map(String.init) ?? ""
        guard !address.isEmpty else { throw SDPError(line: line, "c= has no address") }
        return .init(addressType: String(fields[1]), address: address)
    }

    private static func parseMediaLine(_ value: String, line: Int) throws(SDPError) -> MediaDescription {
        let fields = value.split(separator: " ")
        guard fields.count >= 4 else { throw SDPError(line: line, "m= needs media port proto fmt…") }
        let portParts = fields[1].split(separator: "/", omittingEmptySubsequences: false)
        guard let port = Int(portParts[0]), (0...65535).contains(port), portParts.count <= 2 else {
            throw SDPError(line: line, "'\(fields[1])' is not a port")
        }
        var portCount: Int?
        if portParts.count == 2 {
            guard let count = Int(portParts[1]), count >= 1 else { throw SDPError(line: line, "'\(fields[1])' has a bad port count") }
            portCount = count
        }
        return MediaDescription(
            media: String(fields[0]), port: port, portCount: portCount, transportProtocol: String(fields[2]),
            formats: fields.dropFirst(3).map(String.init)
        )
    }

    private static func parseAttribute(_ value: String) -> SDPAttribute {
        guard let colon = value.firstIndex(of: ":") else { return SDPAttribute(value) }
        return SDPAttribute(String(value[..<colon]), String(value[value.index(after: colon)...]))
    }
}

extension SessionDescription {
    /// The description as SDP text with CRLF line ends.
    public var serialized: [UInt8] {
        var lines = ["v=0", "o=\(origin.username) \(origin.sessionID) \(origin.sessionVersion) IN \(origin.addressType) \(origin.address)", "s=\(sessionName)"]
        lines.append(contentsOf: otherLines)
        if let connection { lines.append("c=IN \(connection.addressType) \(connection.address)") }
        lines.append("t=\(timing)")
        lines.append(contentsOf: attributes.map(\.line))
        for section in media {
            lines.append("m=\(section.media) \(section.port)\(section.portCount.map { "/\($0)" } ?? "") \(section.transportProtocol) \(section.formats.joined(separator: " "))")
            lines.append(contentsOf: section.otherLines)
            if let connection = section.connection { lines.append("c=IN \(connection.addressType) \(connection.address)") }
            lines.append(contentsOf: section.attributes.map(\.line))
        }
        return Array((lines.joined(separator: "\r\n") + "\r\n").utf8)
    }
}
