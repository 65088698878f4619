internal import LineAudio

/// The line's checks in `hushbox selftest`: the card opens in both
/// directions, and (with `--line`) a tone played through a loop-back plug
/// comes back at a sound level, over a quiet floor, in a short round trip.
public enum LineSelftest {
    public struct Check: Sendable, Hashable {
        public var name: String
        public var passed: Bool
        /// What was measured, or what to do.
        public var detail: String
    }

    public static func run(_ line: HushboxConfiguration.Line, loopback: Bool) -> [Check] {
        var checks: [Check] = []
        do {
            let capture = try LineCapture(device: line.captureDevice, configurationFile: line.alsaConfigurationFile, probing: true)
            let playback = try LinePlayback(device: line.playbackDevice, configurationFile: line.alsaConfigurationFile, nonBlocking: true)
            checks.append(Check(name: "line sound card", passed: true, detail: "capture \(capture.format); playback \(playback.format)"))
        } catch {
            checks.append(Check(name: "line sound card", passed: false, detail: "\(error)"))
            return checks
        }
        guard loopback else { return checks }
        do {
            let measured = try LoopbackMeasurement.run(
                captureDevice: line.captureDevice, playbackDevice: line.playbackDevice, configurationFile: line.alsaConfigurationFile
            )
            checks.append(Check(name: "line loop-back", passed: measured.problem == nil, detail: measured.problem.map { "\($0); \(measured.summary)" } ?? measured.summary))
        } catch {
            checks.append(Check(name: "line loop-back", passed: false, detail: "\(error)"))
        }
        return checks
    }
}
