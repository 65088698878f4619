import Foundation
import HushboxTestSupport
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

extension CallingTests {
    /// hushboxd's SIP edge under the traffic a public address gets: an INVITE
    /// flood from 10,000 loopback addresses at over 2,000 messages a second,
    /// 2,000 idle TCP connections from strangers and more from a configured
    /// peer than it may hold, a byte-at-a-time drip and a TLS connection that
    /// never says hello — while the configured phone places TLS+SRTP calls.
    @Suite("Hostile network: hushboxd")
    struct HostileSIPTests {
        static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

        /// The rendered prompts with English disclaimer and greeting cut to half a
        /// second each, so a caller reaches the beep in about 1.5 s.
        static func shortPrompts(in directory: TemporaryDirectory) async throws -> (path: String, secondsBeforeRecording: Double) {
            let path = directory.child("prompts")
            try FileManager.default.copyItem(atPath: HushboxdLifecycleTests.renderedPrompts, toPath: path)
            let tools = HushboxdLifecycleTests.environment()
            let tone = directory.child("tone.wav")
            #expect(try await ChildProcess.run("/usr/bin/sox", ["-n", "-r", "48000", "-c", "1", "-b", "16", tone, "synth", "0.5", "sine", "440", "vol", "0.3"], environment: tools).status == 0)
            for name in ["disclaimer", "greeting"] {
                let file = path + "/en/\(name).opus"
                try FileManager.default.removeItem(atPath: file)
                #expect(try await ChildProcess.run("/usr/bin/opusenc", ["--quiet", tone, file], environment: tools).status == 0)
            }
            return (path, 1.0 + (try SpokenAudio.seconds(of: ["beep"])))
        }

        /// UDP datagrams the kernel dropped for a full receive buffer (RcvbufErrors in /proc/net/snmp), all sockets.
        static func udpReceiveBufferErrors() -> Int {
            guard let snmp = try? String(contentsOfFile: "/proc/net/snmp", encoding: .utf8) else { return 0 }
            let udp = snmp.split(separator: "\n").filter { $0.hasPrefix("Udp: ") }.map { $0.split(separator: " ").map(String.init) }
            guard udp.count == 2, let column = udp[0].firstIndex(of: "RcvbufErrors"), column < udp[1].count else { return 0 }
            return Int(udp[1][column]) ?? 0
        }

        /// Resident memory (bytes) and open descriptors of a process, from /proc.
        static func footprint(of pid: Int32) -> (rss: Int, descriptors: Int)? {
            guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
                let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
                let kilobytes = line.split(separator: " ").dropFirst().first.flatMap({ Int($0) }),
                let descriptors = try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")
            else { return nil }
            return (kilobytes * 1024, descriptors.count)
        }

        /// What a process's open descriptors are, by kind: sockets, pipes, event fds, files (by directory).
        static func descriptorKinds(of pid: Int32) -> [String: Int] {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")) ?? []
            var kinds: [String: Int] = [:]
            for name in names {
                guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\(name)") else { continue }
                let kind =
                    target.hasPrefix("/") ? URL(fileURLWithPath: target).deletingLastPathComponent().lastPathComponent + "/"
                    : String(target.prefix { $0 != ":" && $0 != "[" })
                kinds[kind, default: 0] += 1
            }
            return kinds
        }

        @Test("Under a flood of strangers and idle connections, the phone's TLS+SRTP calls all complete and record; memory and descriptors stay bounded; the drops are counted on /metrics")
        func floodWhileCalling() async throws {
            let directory = try TemporaryDirectory(prefix: "hushbox-hostile")
            let prompts = try await Self.shortPrompts(in: directory)
            let configuration = VoicemailBox.loopbackPhone + "    pbx:\n      kind: trunk\n      sources: [127.0.0.2, 127.0.0.3, 127.0.0.4]\n      plaintext: true\n"
            let box = try await VoicemailBox(configuration: configuration, in: directory, environment: ["HUSHBOX_STORAGE_PROMPTS_DIRECTORY": prompts.path])
            let pid = box.daemon.processIdentifier
            try await Task.sleep(for: .seconds(1))
            let before = try #require(Self.footprint(of: pid))

            let peak = Mutex((rss: before.rss, descriptors: before.descriptors, kinds: Self.descriptorKinds(of: pid)))
            let sampling = Task {
                while !Task.isCancelled {
                    if let now = Self.footprint(of: pid) {
                        let kinds = now.descriptors > peak.withLock({ $0.descriptors }) ? Self.descriptorKinds(of: pid) : nil
                        peak.withLock { $0 = (max($0.rss, now.rss), max($0.descriptors, now.descriptors), kinds ?? $0.kinds) }
                    }
                    try? await Task.sleep(for: .milliseconds(100))
                }
            }
            let kernelDropsBefore = Self.udpReceiveBufferErrors()
            let flood = try ChildProcess(
                "/usr/bin/python3",
                [Self.repository.appendingPathComponent("Tests/Hostile/sip_flood.py").path, "--udp-port", "\(try #require(box.ports["udp"]))",
                 "--tcp-port", "\(try #require(box.ports["tcp"]))", "--tls-port", "\(box.tlsPort)", "--sources", "10000", "--rate", "2500",
                 "--seconds", "14", "--idle", "2000", "--peer", "127.0.0.2", "--peer-idle", "64"],
                environment: HushboxdLifecycleTests.environment()
            )
            // The calls start when the flood is under way.
            try await Task.sleep(for: .seconds(2))
            let (_, callFile) = try await SpokenAudio.render(
                "This message was left during a flood.", in: directory, lead: prompts.secondsBeforeRecording + 0.7, tail: 1
            )
            let callers = try (0..<2).map { index in
                try box.call(codec: index == 0 ? "opus/48000/2" : "PCMU/8000/1", playing: "aufile,\(callFile)", caller: "+44770090012\(index)")
            }
            try await box.daemon.standardError.waitForCount(2, "both calls to end", within: .seconds(60)) { $0.contains("voicemail call ended") }
            for caller in callers { await VoicemailBox.stop(caller) }
            #expect(try await flood.waitForExit(within: .seconds(120)) == 0, "\(flood.standardError.all.suffix(20))")
            sampling.cancel()
            let after = try #require(Self.footprint(of: pid))
            let high = peak.withLock { $0 }
            let report = try #require(flood.standardOutput.all.last.flatMap { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] })

            let ended = box.daemon.standardError.all.filter { $0.contains("voicemail call ended") }
            #expect(ended.count == 2 && ended.allSatisfy { $0.contains("outcome=recorded") }, "\(ended)")
            #expect(try await box.messages().count == 2, "both messages stored")
            #expect((report["udp_sources"] as? Int ?? 0) >= 10_000)
            #expect((report["udp_rate"] as? Int ?? 0) >= 2_000, "the flood reached its rate: \(report)")

            // Strangers' connections are closed at accept; the peer holds at most its 16; the stall meets the handshake timeout.
            let strangers = report["stranger_tcp"] as? [String: Int] ?? [:]
            #expect(strangers["attempted"] == 2_000 && strangers["open_after_3s"] == 0, "\(report)")
            let peer = report["peer_tcp"] as? [String: Int] ?? [:]
            #expect(peer["open_after_3s"] == 16, "the peer holds exactly its 16, the rest closed: \(report)")
            let stall = report["tls_stall_seconds"] as? Double ?? 0
            #expect(report["tls_stall_closed"] as? Bool == true && stall >= 9 && stall < 15, "closed by the 10 s handshake timeout: \(report)")
            // A byte at a time, the peer's OPTIONS still gets its answer (the framer is linear; nothing waits on it).
            #expect(report["drip_answer"] as? String == "SIP/2.0 200 OK", "\(report)")

            // Bounded: descriptors by the connection limits, memory by no per-stranger state. Above what the
            // box held before: the peer's 16; refused connections still closing (the accept gate's 16, and
            // one accept batch of 4) however busy the loops are; each call's connection, media sockets and
            // files (16 each, generously); the stall, the drip and the phone's registration (8).
            #expect(high.descriptors <= before.descriptors + 16 + (16 + 4) + 2 * 16 + 8, "descriptors: \(before.descriptors) before, \(high.descriptors) at the peak: \(high.kinds)")
            #expect(high.rss <= before.rss + 96 << 20, "resident memory: \(before.rss >> 20) MiB before, \(high.rss >> 20) MiB at the peak")

            // What an operator sees: the strangers' messages dropped and counted.
            let opsPort = try #require(box.ports["ops"])
            try await Task.sleep(for: .seconds(3))
            let scraped = try LoopbackHTTP.get(port: opsPort, path: "/metrics").body
            let dropped = scraped.split(separator: "\n").first { $0.hasPrefix(#"hushbox_sip_dropped_total{reason="unknown_source"}"#) }
                .flatMap { $0.split(separator: " ").last }.flatMap { Double($0) } ?? 0
            let sent = Double(report["udp_sent"] as? Int ?? 0)
            // What a loaded machine's kernel dropped for a full socket buffer never reached the box.
            let kernelDrops = Double(Self.udpReceiveBufferErrors() - kernelDropsBefore)
            #expect(sent >= 10_000 && dropped >= sent - kernelDrops, "every INVITE the kernel delivered is counted (sent \(Int(sent)), kernel dropped \(Int(kernelDrops))): \(scraped.split(separator: "\n").filter { $0.hasPrefix("hushbox_sip") })")
            let dropLines = box.daemon.standardError.all.filter { $0.contains("dropped messages from addresses that are no peer's") }
            #expect((1...2).contains(dropLines.count), "one line a minute, with a count: \(dropLines)")
            print(
                "hushboxd under flood: \(report["udp_sent"] ?? 0) INVITEs at \(report["udp_rate"] ?? 0)/s from \(report["udp_sources"] ?? 0) sources, "
                    + "\(Int(dropped)) dropped and counted; RSS \(before.rss >> 20) MiB before, \(high.rss >> 20) MiB peak, \(after.rss >> 20) MiB after; "
                    + "descriptors \(before.descriptors) before, \(high.descriptors) peak (\(high.kinds.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))), \(after.descriptors) after; \(report)"
            )
            try await box.stop()
        }
    }
}
