/// The call-progress tones an exchange plays to a line whose caller hung up,
/// per country (ITU-T E.180 and the operators' own specifications): busy,
/// congestion (reorder) and dial tone. Each has its frequencies and its
/// cadence of on and off times; an empty cadence is a continuous tone.
public enum ToneCountry: String, Sendable, Hashable, CaseIterable {
    case de = "DE", at = "AT", ch = "CH", pl = "PL", fr = "FR", it = "IT", es = "ES", nl = "NL", gb = "GB", us = "US"

    public struct Tone: Sendable, Hashable {
        public enum Kind: String, Sendable, Hashable {
            case busy, congestion, dial
        }

        public var kind: Kind
        /// One or two frequencies in Hz, summed.
        public var frequencies: [Double]
        /// On, off, on, off … in milliseconds: one cycle. Empty: continuous.
        public var cadence: [Int]
    }

    public var tones: [Tone] {
        switch self {
        case .de: Self.european(425, busy: [480, 480], congestion: [240, 240])
        case .at: [Tone(kind: .busy, frequencies: [420], cadence: [400, 400]), Tone(kind: .congestion, frequencies: [420], cadence: [200, 200]),
                   Tone(kind: .dial, frequencies: [450], cadence: [])]
        case .ch: Self.european(425, busy: [500, 500], congestion: [200, 200])
        case .pl: Self.european(425, busy: [500, 500], congestion: [250, 250])
        case .fr: Self.european(440, busy: [500, 500], congestion: [250, 250])
        case .it: [Tone(kind: .busy, frequencies: [425], cadence: [500, 500]), Tone(kind: .congestion, frequencies: [425], cadence: [200, 200]),
                   Tone(kind: .dial, frequencies: [425], cadence: [200, 200, 600, 1000])]
        case .es: [Tone(kind: .busy, frequencies: [425], cadence: [200, 200]), Tone(kind: .congestion, frequencies: [425], cadence: [200, 200, 200, 200, 200, 600]),
                   Tone(kind: .dial, frequencies: [425], cadence: [])]
        case .nl: Self.european(425, busy: [500, 500], congestion: [250, 250])
        case .gb: [Tone(kind: .busy, frequencies: [400], cadence: [375, 375]), Tone(kind: .congestion, frequencies: [400], cadence: [400, 350, 225, 525]),
                   Tone(kind: .dial, frequencies: [350, 450], cadence: [])]
        case .us: [Tone(kind: .busy, frequencies: [480, 620], cadence: [500, 500]), Tone(kind: .congestion, frequencies: [480, 620], cadence: [250, 250]),
                   Tone(kind: .dial, frequencies: [350, 440], cadence: [])]
        }
    }

    /// The caller-ID standards heard on this country's lines.
    public var callerIDStandards: [CallerIDStandard] {
        switch self {
        case .us: [.bell202]
        case .nl: [.dtmf, .v23]
        default: [.v23, .dtmf]
        }
    }

    /// The country's calling code, for reading a national number.
    public var callingCode: String {
        switch self {
        case .de: "49"
        case .at: "43"
        case .ch: "41"
        case .pl: "48"
        case .fr: "33"
        case .it: "39"
        case .es: "34"
        case .nl: "31"
        case .gb: "44"
        case .us: "1"
        }
    }

    private static func european(_ frequency: Double, busy: [Int], congestion: [Int]) -> [Tone] {
        [Tone(kind: .busy, frequencies: [frequency], cadence: busy), Tone(kind: .congestion, frequencies: [frequency], cadence: congestion),
         Tone(kind: .dial, frequencies: [frequency], cadence: [])]
    }
}
