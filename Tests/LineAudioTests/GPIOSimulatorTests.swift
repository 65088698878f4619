import Foundation
import LineAudio
import Testing

/// libgpiod against the kernel's GPIO simulator (gpio-sim, through configfs):
/// the ring input's edges, the hook relay's level, the loop-current input.
/// Reported as skipped where the kernel has no gpio-sim (and this test never
/// loads modules itself): a board's real lines are not here to test.
@Suite("GPIO through gpio-sim")
struct GPIOSimulatorTests {
    static let configfs = "/sys/kernel/config/gpio-sim"

    /// A simulated chip of 8 lines, live until `remove()`.
    struct SimulatedChip {
        let directory: String
        let chipName: String
        let deviceName: String

        init() throws {
            directory = GPIOSimulatorTests.configfs + "/hushbox-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
            try FileManager.default.createDirectory(atPath: directory + "/bank0", withIntermediateDirectories: true)
            try "8".write(toFile: directory + "/bank0/num_lines", atomically: false, encoding: .utf8)
            try "1".write(toFile: directory + "/live", atomically: false, encoding: .utf8)
            chipName = try String(contentsOfFile: directory + "/bank0/chip_name", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            deviceName = try String(contentsOfFile: directory + "/dev_name", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        }

        private func line(_ offset: Int) -> String { "/sys/devices/platform/\(deviceName)/\(chipName)/sim_gpio\(offset)" }

        /// Drives an input line from outside, as a ring detector would.
        func pull(_ offset: Int, high: Bool) throws {
            try (high ? "pull-up" : "pull-down").write(toFile: line(offset) + "/pull", atomically: false, encoding: .utf8)
        }

        /// What the box drives an output line to.
        func value(_ offset: Int) throws -> String {
            try String(contentsOfFile: line(offset) + "/value", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        }

        func remove() {
            try? "0".write(toFile: directory + "/live", atomically: false, encoding: .utf8)
            rmdir(directory + "/bank0")
            rmdir(directory)
        }
    }

    @Test("ring edges, the hook relay and loop current through libgpiod, with active-low polarity applied by the kernel",
          .enabled(if: FileManager.default.fileExists(atPath: configfs), "this kernel has no gpio-sim (configfs /sys/kernel/config/gpio-sim)"))
    func simulatedBoard() throws {
        let chip = try SimulatedChip()
        defer { chip.remove() }
        // Ring detect on 0, active low (an optocoupler pulls it down while the line rings); hook relay on 1; loop current on 2.
        try chip.pull(0, high: true)
        try chip.pull(2, high: true)
        let port = try GPIOPort(GPIOLines(chip: chip.chipName, ring: 0, ringActiveLow: true, hook: 1, hookActiveLow: false, loopCurrent: 2))
        #expect(try !port.ringing())
        #expect(try chip.value(1) == "0", "on hook from the first instant")

        try chip.pull(0, high: false)
        #expect(try port.waitForChanges(timeout: .seconds(2)) == [GPIOPort.Change(input: .ring, active: true)])
        #expect(try port.ringing())
        try chip.pull(0, high: true)
        #expect(try port.waitForChanges(timeout: .seconds(2)) == [GPIOPort.Change(input: .ring, active: false)])

        try port.setOffHook(true)
        #expect(try chip.value(1) == "1")
        try chip.pull(2, high: false)
        #expect(try port.waitForChanges(timeout: .seconds(2)) == [GPIOPort.Change(input: .loopCurrent, active: false)])
        try port.setOffHook(false)
        #expect(try chip.value(1) == "0")
        #expect(try port.waitForChanges(timeout: .milliseconds(100)).isEmpty)
    }
}
