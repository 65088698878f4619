import HushboxTestSupport
import LineAudio
import Testing

/// `hushbox selftest --line`'s measurement through a loop-back plug, on ALSA's
/// file plugin: the "plug" is a recording of the tone coming back late and quieter.
@Suite("Loop-back measurement")
struct LoopbackMeasurementTests {
    @Test("level, noise floor and round trip are what the loop-back gave")
    func measured() throws {
        let directory = try TemporaryDirectory()
        let tone = LineSignals.tone([1000], cycle: [], seconds: 1, level: -20)
        let returned = LineSignals.silence(seconds: 0.5 + 0.046) + tone + LineSignals.silence(seconds: 0.6)
        let line = try FileLine(caller: LineSignals.withNoise(returned, snrDB: 45, seed: 5), in: directory)
        let measurement = try LoopbackMeasurement.run(captureDevice: line.captureDevice, playbackDevice: line.playbackDevice, configurationFile: line.configurationFile)
        let expectedLevel = VoiceActivation.levelDB(Array(tone[2000..<6000]))
        #expect(abs(measurement.levelDB - expectedLevel) < 1, "\(measurement.summary)")
        #expect(measurement.noiseFloorDB < expectedLevel - 30 && measurement.noiseFloorDB > -100, "\(measurement.summary)")
        #expect((.milliseconds(44)...(.milliseconds(48))).contains(measurement.roundTrip), "\(measurement.summary)")
        #expect(measurement.problem == nil)
    }

    @Test("no tone back says to check the plug and the capture mixer")
    func nothingBack() throws {
        let directory = try TemporaryDirectory()
        let line = try FileLine(caller: LineSignals.silence(seconds: 2.5), in: directory)
        let measurement = try LoopbackMeasurement.run(captureDevice: line.captureDevice, playbackDevice: line.playbackDevice, configurationFile: line.configurationFile)
        #expect(measurement.problem?.contains("loop-back plug") == true)
    }
}
