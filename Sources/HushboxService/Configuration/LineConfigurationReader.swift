import LineAudio

/// Reads the `line.*` keys into ``HushboxConfiguration/Line`` (nil when the line is off).
enum LineConfigurationReader {
    static func read(from settings: inout SettingsReader, board: String?) throws(ConfigurationError) -> HushboxConfiguration.Line? {
        let schema = ConfigurationSchema.self
        guard try settings.boolean(schema.lineEnabled) else { return nil }
        guard let mailbox = try settings.optionalText(schema.lineMailbox) else {
            throw .invalidValue(schema.lineMailbox, value: nil, from: settings.source(of: schema.lineMailbox), problem: "must name the mailbox line callers reach when line.enabled is true")
        }
        let control: HushboxConfiguration.Line.Control
        if try settings.text(schema.lineControl) == "gpio" {
            let loopCurrent = try settings.optionalInteger(schema.lineLoopCurrentLine)
            control = .gpio(GPIOLines(
                chip: try settings.text(schema.lineGPIOChip),
                ring: UInt32(try settings.integer(schema.lineRingLine)), ringActiveLow: try settings.boolean(schema.lineRingActiveLow),
                hook: UInt32(try settings.integer(schema.lineHookLine)), hookActiveLow: try settings.boolean(schema.lineHookActiveLow),
                loopCurrent: loopCurrent.map(UInt32.init), loopCurrentActiveLow: try settings.boolean(schema.lineLoopCurrentActiveLow)
            ))
        } else {
            control = .vox(thresholdDB: Double(try settings.integer(schema.lineVoxThreshold)))
        }
        guard let country = ToneCountry(rawValue: try settings.text(schema.lineCountry).uppercased()) else {
            preconditionFailure("line.country's choices must all be tone countries")
        }
        return HushboxConfiguration.Line(
            mailbox: mailbox, captureDevice: try settings.text(schema.lineCaptureDevice), playbackDevice: try settings.text(schema.linePlaybackDevice),
            alsaConfigurationFile: try settings.optionalText(schema.lineALSAConfig), control: control, rings: try settings.integer(schema.lineRings),
            country: country, maximumCall: .seconds(try settings.integer(schema.lineMaximumCallSeconds)), board: board
        )
    }
}
