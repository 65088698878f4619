import Foundation
import HushboxTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

extension CallingTests {
    /// Many callers at once, each leaving a message: SIPp (one process, cheap per
    /// call) plays speech over RTP from a peer the configuration marks plaintext,
    /// since SIPp has no SRTP. No message may be lost, cut or short. It also
    /// reports what hushboxd used: CPU per call and resident memory idle and per
    /// active call. `HUSHBOX_CAPACITY_CALLS=N swift test --skip-build --filter Capacity`
    /// runs it with N callers (default 20); add `HUSHBOX_TEST_HUSHBOXD=$PWD/.build/release/hushboxd`
    /// (after `swift build -c release --product hushboxd`) to measure the build a box runs.
    @Suite("Capacity: concurrent callers leaving messages")
    struct CapacityTests {
        static let configuration = """
            sip:
              peers:
                load:
                  kind: device
                  sources: [127.0.0.1]
                  plaintext: true

            """

        /// SIPp's caller: INVITE with PCMU, ACK, speech from `rtp_stream` for the
        /// whole call, BYE after `milliseconds`. Every call gets its own RTP port.
        static func scenario(speech: String, milliseconds: Int) -> String {
            """
            <?xml version="1.0" encoding="ISO-8859-1" ?>
            <scenario name="Hushbox capacity caller">
              <send retrans="500">
                <![CDATA[
                  INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
                  Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
                  From: <sip:+4477009[call_number]@[local_ip]:[local_port]>;tag=[pid]load[call_number]
                  To: <sip:[service]@[remote_ip]:[remote_port]>
                  Call-ID: [call_id]
                  CSeq: 1 INVITE
                  Contact: <sip:load@[local_ip]:[local_port]>
                  Max-Forwards: 70
                  Content-Type: application/sdp
                  Content-Length: [len]

                  v=0
                  o=- 1 1 IN IP[local_ip_type] [local_ip]
                  s=-
                  c=IN IP[media_ip_type] [media_ip]
                  t=0 0
                  m=audio [rtpstream_audio_port] RTP/AVP 0
                  a=rtpmap:0 PCMU/8000

                ]]>
              </send>
              <recv response="100" optional="true"/>
              <recv response="180" optional="true"/>
              <recv response="200" rrs="true"/>
              <send>
                <![CDATA[
                  ACK [next_url] SIP/2.0
                  Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
                  From: <sip:+4477009[call_number]@[local_ip]:[local_port]>;tag=[pid]load[call_number]
                  To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
                  Call-ID: [call_id]
                  CSeq: 1 ACK
                  Max-Forwards: 70
                  Content-Length: 0

                ]]>
              </send>
              <nop><action><exec rtp_stream="\(speech),-1,0"/></action></nop>
              <pause milliseconds="\(milliseconds)"/>
              <send retrans="500">
                <![CDATA[
                  BYE [next_url] SIP/2.0
                  Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
                  From: <sip:+4477009[call_number]@[local_ip]:[local_port]>;tag=[pid]load[call_number]
                  To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
                  Call-ID: [call_id]
                  CSeq: 2 BYE
                  Max-Forwards: 70
                  Content-Length: 0

                ]]>
              </send>
              <recv response="200"/>
            </scenario>

            """
        }

        /// What the kernel says hushboxd has used: CPU seconds (user + system) and resident kilobytes.
        struct Usage {
            var cpuSeconds: Double
            var residentKB: Int

            init(process: Int32) throws {
                let stat = try String(contentsOfFile: "/proc/\(process)/stat", encoding: .utf8)
                // Fields after the parenthesised command name; utime and stime are the 14th and 15th.
                let fields = stat[stat.index(after: try #require(stat.lastIndex(of: ")")))...].split(separator: " ")
                let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
                cpuSeconds = (Double(fields[11]) ?? 0) / ticks + (Double(fields[12]) ?? 0) / ticks
                let status = try String(contentsOfFile: "/proc/\(process)/status", encoding: .utf8)
                let line = try #require(status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") })
                residentKB = Int(line.split(separator: " ")[1]) ?? 0
            }
        }

        @Test("N callers at once each leave a whole message; none is lost, cut or short")
        func concurrentCallers() async throws {
            let calls = Int(ProcessInfo.processInfo.environment["HUSHBOX_CAPACITY_CALLS"] ?? "") ?? 20
            let box = try await VoicemailBox(configuration: Self.configuration)
            let udpPort = try #require(box.ports["udp"])
            let tools = HushboxdLifecycleTests.environment()
            let spoken = box.directory.child("spoken.wav")
            #expect(try await ChildProcess.run("/usr/bin/espeak-ng", ["-v", "en", "-s", "150", "-w", spoken, SpokenAudio.sentence], environment: tools).status == 0)
            let speech = box.directory.child("speech.ulaw")
            #expect(try await ChildProcess.run("/usr/bin/sox", ["-R", "-D", spoken, "-r", "8000", "-c", "1", "-t", "ul", speech], environment: tools).status == 0)
            // New calls at 5 a second: the per-source budget (20 messages a second, SourceRateLimiter) fits
            // INVITE, ACK and BYE of 5 calls. Messages last long enough for every call to overlap at the peak.
            let callsPerSecond = 5
            let messageSeconds = max(8.0, Double(calls / callsPerSecond) + 4)
            let callMilliseconds = Int((try SpokenAudio.secondsBeforeRecording() + messageSeconds) * 1000)
            let scenario = try box.directory.write(Self.scenario(speech: speech, milliseconds: callMilliseconds), to: "caller.xml")

            try await Task.sleep(for: .seconds(1))
            let idle = try Usage(process: box.daemon.processIdentifier)
            let started = ContinuousClock.now
            let sipp = try ChildProcess(
                "/usr/bin/sipp",
                ["-sf", scenario, "-s", "100", "-m", "\(calls)", "-l", "\(calls)", "-r", "\(callsPerSecond)", "-t", "u1", "-i", "127.0.0.1", "-mi", "127.0.0.1",
                 "-p", "0", "-timeout", "\(Int(messageSeconds) + 120)s", "-timeout_error", "-nostdin", "-trace_err", "127.0.0.1:\(udpPort)"],
                directory: box.directory.path, environment: ["HOME": box.directory.path]
            )
            var peakKB = idle.residentKB
            while sipp.isRunning, ContinuousClock.now - started < .seconds(Int64(messageSeconds) + 120) {
                peakKB = max(peakKB, try Usage(process: box.daemon.processIdentifier).residentKB)
                try await Task.sleep(for: .milliseconds(250))
            }
            let status = try await sipp.waitForExit(within: .seconds(5))
            #expect(status == 0, "every SIPp call succeeds: \(sipp.standardOutput.all.suffix(5)) \(sipp.standardError.all.suffix(5))")
            try await box.daemon.standardError.waitForCount(calls, "calls to end", within: .seconds(30)) { $0.contains("voicemail call ended") }
            let busy = try Usage(process: box.daemon.processIdentifier)
            let wall = (ContinuousClock.now - started) / .seconds(1)

            let ended = box.daemon.standardError.all.filter { $0.contains("voicemail call ended") }
            #expect(ended.allSatisfy { $0.contains("outcome=recorded") }, "\(ended.filter { !$0.contains("outcome=recorded") })")
            let messages = try await box.messages()
            #expect(messages.count == calls, "\(messages.count) of \(calls) messages stored")
            for message in messages {
                let seconds = Double(message[2].dropLast()) ?? 0
                #expect(message[4] == "complete")
                #expect(abs(seconds - messageSeconds) <= 1.5, "message \(message[0]) lasts \(seconds) s of about \(messageSeconds)")
            }
            // One call held for a second costs this much CPU; a core sustains the inverse in real time.
            let cpu = busy.cpuSeconds - idle.cpuSeconds
            let callSeconds = Double(calls) * Double(callMilliseconds) / 1000
            print(String(
                format: "capacity: %d calls (%.0f call-seconds, up to %d at once) in %.1f s: hushboxd used %.2f CPU-s, %.2f ms per call-second "
                    + "= %.0f concurrent calls per core; RSS idle %.1f MB, peak %.1f MB, %.0f KB per active call",
                calls, callSeconds, calls, wall, cpu, cpu / callSeconds * 1000, callSeconds / max(cpu, 0.001),
                Double(idle.residentKB) / 1024, Double(peakKB) / 1024, Double(peakKB - idle.residentKB) / Double(calls)
            ))
            try await box.stop()
        }
    }
}
