import Foundation
import HushboxService
import HushboxTestSupport
import LineAudio
import Testing

/// The `line.*` keys and the board profiles that supply their hardware part.
@Suite("Line configuration")
struct LineConfigurationTests {
    static let boards = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("board").path

    @Test("a line is off unless enabled; enabled, it needs its mailbox")
    func enabledNeedsMailbox() async throws {
        let file = try ConfigurationFile()
        #expect(try await file.load("").line == nil)
        let refusal = try #require(await file.refusal("line:\n  enabled: true\n"))
        #expect(refusal.contains("line.mailbox"))
    }

    @Test("the Raspberry Pi 4 profile sets the board's GPIO lines; a line key in the file overrides it; the country is the file's")
    func raspberryPi4() async throws {
        let file = try ConfigurationFile()
        let line = try #require(try await file.load("""
            line:
              enabled: true
              mailbox: "+4930123456"
              board: raspberrypi4
              boards_directory: \(Self.boards)
              rings: 3
              country: at
            """).line)
        #expect(line.board == "raspberrypi4")
        #expect(line.control == .gpio(GPIOLines(chip: "pinctrl-bcm2711", ring: 17, ringActiveLow: true, hook: 27, hookActiveLow: false)))
        #expect(line.rings == 3, "the file's key wins over the profile's")
        #expect(line.country == .at)
        #expect(line.captureDevice == "plughw:CARD=hushboxline,DEV=0")
    }

    @Test("every shipped profile loads", arguments: ["raspberrypi4", "raspberrypi5", "generic-x86_64"])
    func shippedProfiles(board: String) async throws {
        let file = try ConfigurationFile()
        let line = try #require(try await file.load("line:\n  enabled: true\n  mailbox: \"100\"\n  board: \(board)\n  boards_directory: \(Self.boards)\n").line)
        #expect(line.board == board)
    }

    @Test("a board that does not exist is refused with the ones that do and the closest")
    func unknownBoard() async throws {
        let file = try ConfigurationFile()
        let refusal = try #require(await file.refusal("line:\n  enabled: true\n  mailbox: \"100\"\n  board: raspberrypi3\n  boards_directory: \(Self.boards)\n"))
        #expect(refusal.contains("generic-x86_64, raspberrypi4, raspberrypi5"))
        #expect(refusal.contains("Did you mean"))
    }

    @Test("a profile may set hardware keys only, must be a regular file and at most 64 KiB")
    func hostileProfiles() async throws {
        let file = try ConfigurationFile()
        let boards = file.directory.child("boards")
        try FileManager.default.createDirectory(atPath: boards, withIntermediateDirectories: true)
        func refusal(_ board: String) async -> String? {
            await file.refusal("line:\n  enabled: true\n  mailbox: \"100\"\n  board: \(board)\n  boards_directory: \(boards)\n")
        }
        try "line:\n  mailbox: \"999\"\n".write(toFile: boards + "/steals.yaml", atomically: true, encoding: .utf8)
        #expect(await refusal("steals")?.contains("unknown key \"line.mailbox\"") == true)
        try "line:\n  ring_lien: 4\n".write(toFile: boards + "/typo.yaml", atomically: true, encoding: .utf8)
        #expect(await refusal("typo")?.contains("line.ring_line") == true, "the closest key is named")
        try FileManager.default.createSymbolicLink(atPath: boards + "/linked.yaml", withDestinationPath: Self.boards + "/raspberrypi4.yaml")
        #expect(await refusal("linked")?.contains("not a regular file") == true)
        try String(repeating: "# padding\n", count: 7000).write(toFile: boards + "/huge.yaml", atomically: true, encoding: .utf8)
        #expect(await refusal("huge")?.contains("64 KiB") == true)
        #expect(await refusal("../etc")?.contains("not a board name") == true)
        try "line:\n  capture_device: \"hw:0|rm -rf /\"\n".write(toFile: boards + "/shell.yaml", atomically: true, encoding: .utf8)
        #expect(await refusal("shell")?.contains("line.capture_device") == true)
    }

    @Test("device and chip names that ALSA would read as configuration or a shell command are refused", arguments: [
        "hw:0|cat /etc/shadow", "{ type file file \"/tmp/x\" }", "plughw:CARD=a b", "",
    ])
    func hardwareNames(name: String) async throws {
        let file = try ConfigurationFile()
        let refusal = await file.refusal("line:\n  enabled: true\n  mailbox: \"100\"\n  capture_device: '\(name)'\n")
        #expect(refusal?.contains("line.capture_device") == true, "\(refusal ?? "accepted")")
    }
}
