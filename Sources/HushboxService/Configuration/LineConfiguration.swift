public import LineAudio

extension HushboxConfiguration {
    /// A telephone line on a sound card (`line.*`, docs/line.md).
    public struct Line: Sendable, Hashable {
        /// How calls start and end on the line.
        public enum Control: Sendable, Hashable {
            /// A line board's ring detector and hook relay.
            case gpio(GPIOLines)
            /// A line-level source: a call starts on sustained sound (dBFS threshold).
            case vox(thresholdDB: Double)
        }

        /// The mailbox's SIP user or E.164 number.
        public var mailbox: String
        public var captureDevice: String
        public var playbackDevice: String
        public var alsaConfigurationFile: String?
        public var control: Control
        public var rings: Int
        public var country: ToneCountry
        public var maximumCall: Duration
        /// The board profile the hardware keys came from, when one was named.
        public var board: String?

        public init(
            mailbox: String, captureDevice: String, playbackDevice: String, alsaConfigurationFile: String? = nil, control: Control, rings: Int = 2,
            country: ToneCountry = .de, maximumCall: Duration = .seconds(600), board: String? = nil
        ) {
            self.mailbox = mailbox
            self.captureDevice = captureDevice
            self.playbackDevice = playbackDevice
            self.alsaConfigurationFile = alsaConfigurationFile
            self.control = control
            self.rings = rings
            self.country = country
            self.maximumCall = maximumCall
            self.board = board
        }
    }
}
