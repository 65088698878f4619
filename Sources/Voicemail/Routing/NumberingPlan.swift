/// How numbers are dialled inside one country: its E.164 country calling
/// code, the trunk prefix a national number starts with (the "0" of
/// `030 111222`), and the prefix for calling abroad (ITU-T E.164 and the
/// national numbering plans notified to the ITU).
public struct NumberingPlan: Sendable, Hashable {
    /// ISO 3166-1 alpha-2.
    public let country: String
    /// Digits of the country calling code, e.g. "49".
    public let callingCode: String
    /// The national (trunk) prefix; nil where a national number is dialled
    /// as it is written internationally (Poland, Denmark, Italy, whose
    /// leading 0 is part of the number and stays after +39).
    public let trunkPrefix: String?
    /// The international call prefix: 00 in Europe, 011 in North America.
    public let internationalPrefix: String
    /// Whether a national number may also be written without its trunk
    /// prefix: the North American plan's ten digits, `2125550123`, are as
    /// common as `12125550123`.
    public let trunkPrefixOptional: Bool

    /// The plan of an ISO 3166-1 alpha-2 country code (any case), or nil when Hushbox does not know it.
    public init?(country: String) {
        guard let plan = Self.byCountry[country.uppercased()] else { return nil }
        self = plan
    }

    private init(_ country: String, _ callingCode: String, trunk: String?, international: String = "00", trunkOptional: Bool = false) {
        self.country = country
        self.callingCode = callingCode
        self.trunkPrefix = trunk
        self.internationalPrefix = international
        self.trunkPrefixOptional = trunkOptional
    }

    /// Countries whose trunks a box may sit behind, with the plans as they are in 2026.
    public static let known: [NumberingPlan] = [
        .init("DE", "49", trunk: "0"), .init("AT", "43", trunk: "0"), .init("CH", "41", trunk: "0"), .init("LI", "423", trunk: nil),
        .init("PL", "48", trunk: nil), .init("FR", "33", trunk: "0"), .init("BE", "32", trunk: "0"), .init("NL", "31", trunk: "0"),
        .init("LU", "352", trunk: nil), .init("IT", "39", trunk: nil), .init("SM", "378", trunk: nil), .init("MC", "377", trunk: nil),
        .init("ES", "34", trunk: nil), .init("PT", "351", trunk: nil), .init("GB", "44", trunk: "0"), .init("IE", "353", trunk: "0"),
        .init("MT", "356", trunk: nil), .init("DK", "45", trunk: nil), .init("SE", "46", trunk: "0"), .init("NO", "47", trunk: nil),
        .init("FI", "358", trunk: "0"), .init("IS", "354", trunk: nil), .init("GR", "30", trunk: nil), .init("CY", "357", trunk: nil),
        .init("CZ", "420", trunk: nil), .init("SK", "421", trunk: "0"), .init("HU", "36", trunk: "06"), .init("RO", "40", trunk: "0"),
        .init("BG", "359", trunk: "0"), .init("HR", "385", trunk: "0"), .init("SI", "386", trunk: "0"), .init("EE", "372", trunk: nil),
        .init("LV", "371", trunk: nil), .init("US", "1", trunk: "1", international: "011", trunkOptional: true),
    ]

    private static let byCountry: [String: NumberingPlan] = Dictionary(uniqueKeysWithValues: known.map { ($0.country, $0) })
}
