import CSpanDSP

/// The ways an exchange sends the caller's number before the box answers.
public enum CallerIDStandard: String, Sendable, Hashable, CaseIterable {
    /// Bell 202 FSK (Telcordia GR-30, "CLASS"): North America.
    case bell202
    /// ETSI EN 300 659 FSK on V.23: most of Europe.
    case v23
    /// ETSI ES 200 778 DTMF CLIP: parts of Europe (NL, DK, FI, SE …).
    case dtmf

    var spandspStandard: Int32 {
        switch self {
        case .bell202: Int32(ADSI_STANDARD_CLASS)
        case .v23: Int32(ADSI_STANDARD_CLIP)
        case .dtmf: Int32(ADSI_STANDARD_CLIP_DTMF)
        }
    }
}
