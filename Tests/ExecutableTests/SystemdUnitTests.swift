import Foundation
import HushboxTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// systemd/hushbox.service, checked as systemd would see it with no systemd
/// running here: its exposure score, `systemd-analyze verify`, and the
/// system-call filter held against every call hushboxd really makes.
@Suite("systemd unit", .serialized)
struct SystemdUnitTests {
    static let unit = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("systemd/hushbox.service").path

    /// The unit as installed, with ExecStart on this build's hushboxd.
    static func installed(in directory: TemporaryDirectory) throws -> String {
        let text = try String(contentsOfFile: unit, encoding: .utf8)
            .replacingOccurrences(of: "/usr/bin/hushboxd", with: try BuiltProducts.path(of: "hushboxd"))
        return try directory.write(text, to: "hushbox.service")
    }

    @Test("the unit's exposure is at most 2.0 and systemd-analyze verify finds nothing")
    func scoreAndVerify() async throws {
        let directory = try TemporaryDirectory()
        let file = try Self.installed(in: directory)
        let security = try await ChildProcess.run(
            "/usr/bin/systemd-analyze", ["security", "--offline=yes", "--threshold=20", file], environment: HushboxdLifecycleTests.environment()
        )
        #expect(security.status == 0, "\(security.errors)")
        let score = try #require(security.output.firstMatch(of: /Overall exposure level for hushbox\.service: ([0-9.]+)/).flatMap { Double($0.output.1) })
        #expect(score <= 2.0, "exposure \(score):\n\(security.output.split(separator: "\n").filter { $0.contains("✗") }.joined(separator: "\n"))")
        let verify = try await ChildProcess.run("/usr/bin/systemd-analyze", ["verify", file], environment: HushboxdLifecycleTests.environment())
        #expect(verify.status == 0 && verify.errors.isEmpty && verify.output.isEmpty, "\(verify.output)\(verify.errors)")
    }

    /// systemd's system-call groups (`systemd-analyze syscall-filter`), each expanded to its calls.
    static func syscallGroups() async throws -> [String: Set<String>] {
        let listed = try await ChildProcess.run("/usr/bin/systemd-analyze", ["syscall-filter"], environment: HushboxdLifecycleTests.environment())
        var members: [String: [String]] = [:]
        var group: String?
        for line in listed.output.split(separator: "\n") {
            if line.hasPrefix("@") {
                group = String(line)
                members[String(line)] = []
            } else if let current = group {
                let word = line.trimmingCharacters(in: .whitespaces)
                if !word.isEmpty, !word.hasPrefix("#"), !word.contains(" ") { members[current, default: []].append(word) }
            }
        }
        func expand(_ name: String, seen: Set<String>) -> Set<String> {
            guard !seen.contains(name) else { return [] }
            var calls = Set<String>()
            for member in members[name] ?? [] {
                if member.hasPrefix("@") { calls.formUnion(expand(member, seen: seen.union([name]))) } else { calls.insert(member) }
            }
            return calls
        }
        return Dictionary(uniqueKeysWithValues: members.keys.map { ($0, expand($0, seen: [])) })
    }

    @Test("every system call hushboxd makes through start, a line call and stop is one the unit's filter allows")
    func systemCallsWithinTheFilter() async throws {
        let text = try String(contentsOfFile: Self.unit, encoding: .utf8)
        let filters = text.split(separator: "\n").filter { $0.hasPrefix("SystemCallFilter=") }.map { String($0.dropFirst("SystemCallFilter=".count)) }
        let groups = try await Self.syscallGroups()
        var allowed = Set<String>()
        var denied = Set<String>()
        for filter in filters {
            let deny = filter.hasPrefix("~")
            for set in (deny ? String(filter.dropFirst()) : filter).split(separator: " ") {
                let names = set.hasPrefix("@") ? groups[String(set)] ?? [] : [String(set)]
                if deny { denied.formUnion(names) } else { allowed.formUnion(names) }
            }
        }
        try #require(!allowed.isEmpty, "the unit has a SystemCallFilter")
        let permitted = allowed.subtracting(denied)

        // A box with its mailbox, then hushboxd on a VOX line under strace, until the call is stored.
        let box = try await VoicemailBox(mailbox: ["--consent", "off"])
        try await box.stop()
        let speech = try await LineSignals.speech("Hello, please call me back.", in: box.directory)
        let audio = LineSignals.silence(seconds: 1) + speech + LineSignals.silence(seconds: try SpokenAudio.secondsBeforeRecording() + 1) + speech
            + LineSignals.silence(seconds: 8)
        let line = try FileLine(caller: audio, in: box.directory)
        try (VoicemailBox.loopbackPhone + LineEndToEndTests.lineSection(line, mailbox: "100")).write(toFile: box.file, atomically: true, encoding: .utf8)
        let trace = box.directory.child("syscalls.trace")
        let traced = try ChildProcess(
            "/usr/bin/strace", ["-f", "-qq", "-o", trace, try BuiltProducts.path(of: "hushboxd"), "--dev", "--config", box.file],
            directory: box.directory.path, environment: HushboxdLifecycleTests.environment(["HUSHBOX_OPS_PORT": "0"])
        )
        _ = try await traced.standardError.waitFor("the line call to be stored", within: .seconds(90)) { $0.contains("voicemail call ended") }
        _ = try await ChildProcess.run("/usr/bin/pkill", ["-TERM", "-P", "\(traced.processIdentifier)"], environment: HushboxdLifecycleTests.environment())
        _ = try await traced.waitForExit(within: .seconds(30))

        var used = Set<String>()
        for entry in try String(contentsOfFile: trace, encoding: .utf8).split(separator: "\n") {
            guard let match = entry.firstMatch(of: /^\d+\s+([a-z0-9_]+)\(/) else { continue }
            used.insert(String(match.output.1))
        }
        try #require(used.count > 20, "strace recorded the daemon's calls")
        // SQLite chowns its journal and WAL to the database's owner only when it runs as root; the unit runs as hushbox.
        let onlyAsRoot: Set<String> = getuid() == 0 ? ["fchown"] : []
        let outside = used.subtracting(permitted).subtracting(onlyAsRoot)
        #expect(outside.isEmpty, "hushboxd made calls the unit's filter refuses: \(outside.sorted())")
    }
}
