/// One entry of a Diversion header (RFC 5806 §4): a party that forwarded the
/// call, and why. The first entry is the most recent diversion: the user
/// whose line last sent the call on, whose mailbox it is meant for.
public struct DiversionEntry: Sendable, Hashable {
    /// The diverting party: the user who was called when the call was forwarded.
    public var diverter: URI
    /// `diversion-reason`; nil when the entry has none.
    public var reason: DiversionReason?
    /// `diversion-counter`: how many times the call had been diverted at this point (1–99).
    public var counter: Int?

    /// More entries than this make the header unusable (a loop or an attack).
    public static let maximumEntries = 32

    public static func parse(_ text: String) throws(SIPHeaderError.Problem) -> DiversionEntry {
        let value = try NameAddress.parse(text)
        var entry = DiversionEntry(diverter: value.uri)
        if let reason = value.parameters[parameter: "reason"] ?? nil {
            // diversion-reason is a token or a quoted-string.
            let token = reason.hasPrefix("\"") ? try QuotedString.unquote(reason) : reason
            entry.reason = DiversionReason(diversionReason: token)
        }
        if let counter = value.parameters[parameter: "counter"] ?? nil {
            // diversion-counter = "counter" EQUAL 1*2DIGIT
            guard (1...2).contains(counter.utf8.count), counter.utf8.allSatisfy(SIPGrammar.isDigit), let number = Int(counter), number >= 1 else {
                throw .init("counter '\(counter.prefix(12))' is not 1 to 99")
            }
            entry.counter = number
        }
        return entry
    }

    init(diverter: URI, reason: DiversionReason? = nil, counter: Int? = nil) {
        self.diverter = diverter
        self.reason = reason
        self.counter = counter
    }
}

extension SIPHeaders {
    /// Every Diversion entry, most recent first, across all the header's fields.
    public func diversions() throws(SIPHeaderError) -> [DiversionEntry] {
        try parsedList(.diversion, atMost: DiversionEntry.maximumEntries, DiversionEntry.parse)
    }
}
