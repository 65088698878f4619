/// The header fields of a message in order, each as written (unfolded, name
/// and value trimmed). Typed access parses on demand and throws a
/// ``SIPHeaderError`` naming the header.
public struct SIPHeaders: Sendable, Hashable, Sequence {
    public struct Field: Sendable, Hashable {
        public var name: SIPHeaderName
        public var value: String

        public init(name: SIPHeaderName, value: String) {
            self.name = name
            self.value = value
        }
    }

    public private(set) var fields: [Field]

    public init(_ fields: [Field] = []) {
        self.fields = fields
    }

    public func makeIterator() -> IndexingIterator<[Field]> { fields.makeIterator() }

    public var count: Int { fields.count }

    /// Every value of a header, in order, as written (a list header's values
    /// may still hold commas).
    public subscript(name: SIPHeaderName) -> [String] {
        fields.filter { $0.name == name }.map(\.value)
    }

    /// The only value of a single-valued header; nil if absent. Throws when the
    /// header appears more than once (RFC 4475 multi01).
    public func single(_ name: SIPHeaderName) throws(SIPHeaderError) -> String? {
        let values = self[name]
        guard values.count <= 1 else {
            throw SIPHeaderError(header: name.canonical, detail: "appears \(values.count) times; it may appear once")
        }
        return values.first
    }

    public func contains(_ name: SIPHeaderName) -> Bool {
        fields.contains { $0.name == name }
    }

    public mutating func append(_ name: SIPHeaderName, _ value: String) {
        fields.append(Field(name: name, value: value))
    }

    /// Replaces every value of `name` with one value, where the first was.
    public mutating func set(_ name: SIPHeaderName, _ value: String) {
        guard let index = fields.firstIndex(where: { $0.name == name }) else {
            append(name, value)
            return
        }
        fields[index].value = value
        fields = Array(fields[...index]) + fields[(index + 1)...].filter { $0.name != name }
    }

    public mutating func remove(_ name: SIPHeaderName) {
        fields.removeAll { $0.name == name }
    }

    /// The elements of a list header across all its fields (`Via: a, b` and a
    /// second `Via: c` give a, b, c).
    public func listElements(_ name: SIPHeaderName) throws(SIPHeaderError) -> [String] {
        var elements: [String] = []
        for value in self[name] {
            do {
                elements.append(contentsOf: try HeaderValueScanner.splitList(value))
            } catch {
                throw SIPHeaderError(header: name.canonical, detail: error.detail)
            }
        }
        return elements
    }
}

extension SIPHeaders {
    /// Every element of a list header, each parsed with `parse`; more than
    /// `maximum` elements make the header unusable. Errors name the header.
    func parsedList<T>(
        _ name: SIPHeaderName, atMost maximum: Int, describing plural: String = "entries", _ parse: (String) throws(SIPHeaderError.Problem) -> T
    ) throws(SIPHeaderError) -> [T] {
        let elements = try listElements(name)
        guard elements.count <= maximum else {
            throw SIPHeaderError(header: name.canonical, detail: "\(elements.count) \(plural); at most \(maximum) are read")
        }
        var parsed: [T] = []
        for element in elements {
            do {
                parsed.append(try parse(element))
            } catch {
                throw SIPHeaderError(header: name.canonical, detail: error.detail)
            }
        }
        return parsed
    }

    /// Parses with `parse`, naming `name` in any error.
    func typed<T>(_ name: SIPHeaderName, _ parse: (String) throws(SIPHeaderError.Problem) -> T) throws(SIPHeaderError) -> T? {
        guard let value = try single(name) else { return nil }
        do {
            return try parse(value)
        } catch {
            throw SIPHeaderError(header: name.canonical, detail: error.detail)
        }
    }

    public func vias() throws(SIPHeaderError) -> [Via] {
        var result: [Via] = []
        for value in self[.via] {
            do {
                result.append(contentsOf: try Via.parseList(value))
            } catch {
                throw SIPHeaderError(header: "Via", detail: error.detail)
            }
        }
        return result
    }

    public func from() throws(SIPHeaderError) -> NameAddress? { try typed(.from, NameAddress.parse) }
    public func to() throws(SIPHeaderError) -> NameAddress? { try typed(.to, NameAddress.parse) }
    public func cseq() throws(SIPHeaderError) -> CSeq? { try typed(.cseq, CSeq.parse) }

    public func callID() throws(SIPHeaderError) -> String? {
        try typed(.callID) { value throws(SIPHeaderError.Problem) in
            // callid = word [ "@" word ]
            let parts = value.split(separator: "@", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.allSatisfy({ !$0.isEmpty && $0.utf8.allSatisfy(SIPGrammar.isWordByte) }) else {
                throw .init("'\(value.prefix(40))' is not word[@word]")
            }
            return value
        }
    }

    public func maxForwards() throws(SIPHeaderError) -> Int? {
        try typed(.maxForwards) { value throws(SIPHeaderError.Problem) in
            guard !value.isEmpty, value.utf8.allSatisfy(SIPGrammar.isDigit) else { throw .init("'\(value)' is not a number") }
            let digits = value.drop { $0 == "0" }
            guard digits.count <= 3, let number = Int(digits.isEmpty ? "0" : String(digits)), number <= 255 else {
                throw .init("\(value.prefix(12)) is larger than 255")
            }
            return number
        }
    }

    /// Contact values; `*` (only in REGISTER) is returned as an empty list with `isWildcard`.
    public func contacts() throws(SIPHeaderError) -> (values: [NameAddress], isWildcard: Bool) {
        let elements = try listElements(.contact)
        if elements == ["*"] { return ([], true) }
        var result: [NameAddress] = []
        for element in elements {
            do {
                result.append(try Self.contact(element))
            } catch {
                throw SIPHeaderError(header: "Contact", detail: error.detail)
            }
        }
        return (result, false)
    }

    private static func contact(_ element: String) throws(SIPHeaderError.Problem) -> NameAddress {
        guard !element.isEmpty else { throw .init("an empty Contact value") }
        let contact = try NameAddress.parse(element)
        if case .some(.some(let expires)) = contact.parameters[parameter: "expires"], !DeltaSeconds.valid(expires) {
            throw .init("expires=\(expires.prefix(24)) is larger than 2^32-1")
        }
        return contact
    }

    /// Option tags of Require, Proxy-Require, Supported and the like.
    public func optionTags(_ name: SIPHeaderName) throws(SIPHeaderError) -> [String] {
        let tags = try listElements(name)
        for tag in tags where !SIPGrammar.isToken(tag) {
            throw SIPHeaderError(header: name.canonical, detail: "'\(tag)' is not an option tag")
        }
        return tags
    }

    public func expires() throws(SIPHeaderError) -> UInt32? {
        try typed(.expires) { value throws(SIPHeaderError.Problem) in
            guard DeltaSeconds.valid(value), let seconds = UInt32(value.drop { $0 == "0" }.isEmpty ? "0" : String(value.drop { $0 == "0" })) else {
                throw .init("'\(value.prefix(24))' is not a number of seconds below 2^32")
            }
            return seconds
        }
    }

    /// Media types of Content-Type (one) or Accept (a list): `type/subtype`, lower-cased, parameters dropped.
    public func contentType() throws(SIPHeaderError) -> String? {
        try typed(.contentType, MediaType.parse)
    }

    public func acceptedTypes() throws(SIPHeaderError) -> [String]? {
        guard contains(.accept) else { return nil }
        var types: [String] = []
        for element in try listElements(.accept) where !element.isEmpty {
            do {
                types.append(try MediaType.parse(element))
            } catch {
                throw SIPHeaderError(header: "Accept", detail: error.detail)
            }
        }
        return types
    }
}

/// delta-seconds values must fit in 32 bits (RFC 4475 scalar02).
enum DeltaSeconds {
    static func valid(_ text: some StringProtocol) -> Bool {
        let digits = text.drop { $0 == "0" }
        return !text.isEmpty && text.utf8.allSatisfy(SIPGrammar.isDigit) && digits.count <= 10 && (UInt64(digits.isEmpty ? "0" : String(digits)) ?? .max) <= UInt64(UInt32.max)
    }
}

/// `type "/" subtype *(; parameter)`, reduced to lower-case `type/subtype`.
enum MediaType {
    static func parse(_ value: String) throws(SIPHeaderError.Problem) -> String {
        let base = value.split(separator: ";", maxSplits: 1).first.map { $0.trimmingLWS } ?? ""
        let parts = base.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, SIPGrammar.isToken(parts[0].trimmingLWS), SIPGrammar.isToken(parts[1].trimmingLWS) else {
            throw .init("'\(value.prefix(40))' is not a media type")
        }
        return (parts[0].trimmingLWS + "/" + parts[1].trimmingLWS).lowercased()
    }
}
