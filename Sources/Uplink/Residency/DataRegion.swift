import Foundation

/// Where a destination keeps the data it receives, as the ISO 3166-1 alpha-2
/// code of the country hosting it (DE, FR, IE, …), and whether that is inside
/// the EU/EEA, the region `residency: eu` allows.
public struct DataRegion: Sendable, Hashable, CustomStringConvertible {
    public let countryCode: String

    /// The 27 EU member states and the three further EEA states (Iceland,
    /// Liechtenstein, Norway). Greece is GR, its ISO code; the EU's own "EL" is accepted for it.
    static let europeanEconomicArea: Set<String> = [
        "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV", "LT", "LU", "MT", "NL",
        "PL", "PT", "RO", "SK", "SI", "ES", "SE", "IS", "LI", "NO",
    ]

    /// - Throws: when `code` is not two letters.
    public init(_ code: String) throws(DataRegionError) {
        let upper = code.trimmingCharacters(in: .whitespaces).uppercased()
        guard upper.count == 2, upper.allSatisfy({ $0.isASCII && $0.isLetter }) else {
            throw DataRegionError("region \"\(code)\" is not a country code: name the country hosting the destination, e.g. DE or IE")
        }
        countryCode = upper == "EL" ? "GR" : upper
    }

    public var isInEuropeanEconomicArea: Bool { Self.europeanEconomicArea.contains(countryCode) }

    public var description: String { countryCode }
}

public struct DataRegionError: Error, Hashable, Sendable, CustomStringConvertible {
    public let description: String

    init(_ description: String) {
        self.description = description
    }
}

/// What the box's owner promised about where voice data may go.
public enum ResidencyPolicy: String, Sendable, Hashable, CaseIterable {
    /// Only destinations hosted in the EU/EEA.
    case eu
    /// Any destination the owner names (for a box outside the EU's rules).
    case any

    /// Nil when `region` is allowed; otherwise why not, naming the destination.
    public func refusal(of destination: String, in region: DataRegion) -> String? {
        switch self {
        case .any:
            return nil
        case .eu:
            guard !region.isInEuropeanEconomicArea else { return nil }
            return "uplink destination \(destination) is hosted in \(region), outside the EU/EEA, and residency is eu: "
                + "nothing may be sent there. Name a destination hosted in the EU/EEA, or remove it."
        }
    }
}
