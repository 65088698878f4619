import Crypto
import Foundation
import HushboxTestSupport
import Synchronization
import Testing
import Uplink

#if canImport(Glibc)
import Glibc
#endif

extension CallingTests {
    /// The real `hushbox-ingest` on loopback under attack by someone holding a
    /// box's client certificate (a stolen or misbehaving box): headers at
    /// integer extremes and absurd lengths, 10,000 signatures, a 16 MiB body
    /// with a bad signature, replays across routes and offsets, unsigned HEADs,
    /// slow-loris connections, and schemathesis fuzzing the published OpenAPI
    /// document. It must not crash, answer 5xx, or let any of it in, and a
    /// valid box keeps delivering during and after; a 201 follows a directory fsync.
    @Suite("Hostile network: hushbox-ingest")
    struct HostileIngestTests {
        static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        static let schemathesis = repository.appendingPathComponent(".build/test-tools/schemathesis/bin/schemathesis").path

        /// A box's upload of `size` random-ish bytes under `objectID`, delivered through the real client.
        static func deliver(_ objectID: String, size: Int, client: UplinkClient) async -> UploadDriver.Outcome {
            let payload = Data((0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ objectID.count) })
            let announcement = NewUpload(
                objectID: objectID, kind: "voicemail", length: payload.count, sha256: SHA256.hash(data: payload).map { String(format: "%02x", $0) }.joined(),
                sealing: .none
            )
            var session = UploadSession(entryID: "entry-\(objectID)", length: payload.count)
            var generator = SeededGenerator(seed: 7)
            return await UploadDriver.deliver(
                &session, perform: { request, session in await client.perform(request, of: session, announcement: announcement, payload: payload) },
                schedule: RetrySchedule(first: .milliseconds(100), longest: .seconds(1)), clock: ContinuousClock(), generator: &generator
            )
        }

        @Test("Attacks over real TLS get 4xx or a closed connection, never a crash or a 5xx; slow connections are cut at the request deadline; a valid box delivers during and after, each 201 after a directory fsync")
        func underAttack() async throws {
            let box = try TestCertificate.selfSigned(commonName: "hushbox-box")
            // Traced from its start: strace attached to a running child of this process would interrupt this process's reads.
            let traceDirectory = try TemporaryDirectory(prefix: "hushbox-ingest-trace")
            let trace = traceDirectory.child("fsync.trace")
            let receiver = try await UplinkDeliveryTests.startReceiver(
                clientCA: box.certificatePEM, extra: ["--request-timeout", "3", "--max-connections-per-address", "8"], trace: trace,
                traceCalls: "fsync,fdatasync,rename,renameat,renameat2"
            )
            let port = try #require(receiver.url.split(separator: ":").last.flatMap { Int($0) })
            let certificate = try receiver.directory.write(box.certificatePEM, to: "box.pem")
            let key = try receiver.directory.write(box.privateKeyPEM, to: "box-key.pem")
            let client = try receiver.client(as: box)

            // The attacks and a valid box at the same time.
            let attacker = try ChildProcess(
                "/usr/bin/python3",
                [Self.repository.appendingPathComponent("Tests/Hostile/ingest_attacks.py").path, "--port", "\(port)", "--cert", certificate, "--key", key,
                 "--secret", receiver.secret, "--slow-connections", "24", "--slow-wait", "12"],
                environment: HushboxdLifecycleTests.environment()
            )
            // One while the header and replay attacks run, two while the slow connections are held.
            var during = [await Self.deliver("during-0", size: 300_000, client: client)]
            try await attacker.standardError.waitForCount(1, "the slow-loris phase", within: .seconds(180)) { $0.contains("slow loris under way") }
            for index in 1..<3 {
                during.append(await Self.deliver("during-\(index)", size: 300_000, client: client))
            }
            #expect(try await attacker.waitForExit(within: .seconds(240)) == 0, "\(attacker.standardError.all.suffix(20))")
            let report = try #require(attacker.standardOutput.all.last.flatMap { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] })
            print("hushbox-ingest under attack: \(attacker.standardOutput.all.last ?? "")")
            #expect(during.allSatisfy { $0 == .delivered(attempts: 1) }, "a valid box delivers during the attack: \(during)")

            // No 5xx anywhere; what must be refused is refused.
            func answers(_ key: String) -> [String] {
                if let list = report[key] as? [Any] { return list.map { "\($0)" } }
                return report[key].map { ["\($0)"] } ?? ["missing"]
            }
            let everything = report.keys.filter { !$0.hasSuffix("seconds") && !$0.hasPrefix("slow") && $0 != "announcement" }.flatMap(answers)
            #expect(everything.allSatisfy { $0 == "closed" || (Int($0).map { (400..<500).contains($0) } ?? false) }, "\(report)")
            #expect(answers("announcement") == ["201"], "the box's own announcement is accepted once: \(report)")
            for replay in ["announcement_replayed_to_erasures", "chunk_at_other_offset", "chunk_to_other_upload", "unsigned_head", "head_with_other_requests_signature"] {
                #expect(answers(replay) == ["401"], "\(replay): \(report)")
            }
            #expect(answers("ten_thousand_signatures") != ["401"] || (report["ten_thousand_signatures_seconds"] as? Double ?? 99) < 2, "refused before hashing: \(report)")
            #expect((report["ten_thousand_signatures_seconds"] as? Double ?? 99) < 5, "\(report)")
            // The deadline (3 s) closes every slow connection; over the per-address limit (8) they are refused at once.
            #expect(report["slow_closed_by_receiver"] as? Int == 24, "\(report)")
            #expect((report["slow_longest_seconds"] as? Double ?? 99) < 8, "\(report)")
            #expect(kill(receiver.process.processIdentifier, 0) == 0, "hushbox-ingest is still running")

            // After: delivery works, and each rename into place is followed by an fsync of its directory.
            #expect(await Self.deliver("after", size: 700_000, client: client) == .delivered(attempts: 1))
            try await client.shutdown()
            // hushbox-ingest is strace's child: stop it, and strace ends with it.
            _ = try await ChildProcess.run("/usr/bin/pkill", ["-TERM", "-P", "\(receiver.process.processIdentifier)"], environment: HushboxdLifecycleTests.environment())
            _ = try await receiver.process.waitForExit(within: .seconds(20))
            let calls = try String(contentsOfFile: trace, encoding: .utf8).split(separator: "\n").map(String.init)
            let renames = calls.compactMap { $0.firstMatch(of: /rename[a-z0-9]*\(.*"([^"]+)"(, [A-Z_0-9|]+)?\) = 0/).map { String($0.output.1) } }
            #expect(renames.contains { $0.hasSuffix("/objects/after/payload") || $0.hasSuffix("/objects/after") }, "the completed object was renamed into place: \(calls)")
            for (index, line) in calls.enumerated() {
                guard let target = line.firstMatch(of: /rename[a-z0-9]*\(.*"([^"]+)"(, [A-Z_0-9|]+)?\) = 0/).map({ String($0.output.1) }) else { continue }
                let directory = String(target[..<(target.lastIndex(of: "/") ?? target.endIndex)])
                #expect(calls[index...].contains { $0.contains("fsync(") && $0.contains("<\(directory)>") }, "rename to \(target) has no fsync of \(directory) after it")
            }
        }

        @Test("A flood of 2,000 silent connections costs hushbox-ingest at most its connection limit plus the closing allowance in descriptors; a box delivers after")
        func connectionFlood() async throws {
            let box = try TestCertificate.selfSigned(commonName: "hushbox-box")
            let receiver = try await UplinkDeliveryTests.startReceiver(clientCA: box.certificatePEM, extra: ["--request-timeout", "3", "--max-connections", "8"])
            let port = try #require(receiver.url.split(separator: ":").last.flatMap { Int($0) })
            let pid = receiver.process.processIdentifier
            let before = try #require(HostileSIPTests.footprint(of: pid))
            let peak = Mutex(before.descriptors)
            let sampling = Task {
                while !Task.isCancelled {
                    if let now = HostileSIPTests.footprint(of: pid) { peak.withLock { $0 = max($0, now.descriptors) } }
                    try? await Task.sleep(for: .milliseconds(5))
                }
            }
            let flood = try ChildProcess(
                "/usr/bin/python3", [Self.repository.appendingPathComponent("Tests/Hostile/connection_flood.py").path, "--port", "\(port)", "--connections", "2000"],
                environment: HushboxdLifecycleTests.environment()
            )
            #expect(try await flood.waitForExit(within: .seconds(120)) == 0, "\(flood.standardError.all.suffix(20))")
            sampling.cancel()
            let report = try #require(flood.standardOutput.all.last.flatMap { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] })
            print("hushbox-ingest under a connection flood: descriptors \(before.descriptors) before, \(peak.withLock { $0 }) at the peak; \(report)")
            #expect((report["connected"] as? Int ?? 0) >= 1_000, "the flood reached the listener: \(report)")
            // The 8 the budget holds, 16 refused ones still closing and one accept batch (NIO's 4): the listener
            // takes no more until some have closed. (Without the listener's limit, two runs peaked at 26 and 58 above.)
            #expect(peak.withLock { $0 } <= before.descriptors + 8 + 16 + 4, "descriptors: \(before.descriptors) before, \(peak.withLock { $0 }) at the peak")
            #expect(kill(pid, 0) == 0, "hushbox-ingest is still running")

            let client = try receiver.client(as: box)
            #expect(await Self.deliver("after-flood", size: 100_000, client: client) == .delivered(attempts: 1))
            try await client.shutdown()
        }

        // `make test` installs schemathesis; a bare `swift test` may not have: then this is skipped, not passed.
        @Test(
            "schemathesis fuzzing docs/uplink-openapi.yaml over mutual TLS, every request signed, finds no server error, and a valid box still delivers",
            .enabled(if: FileManager.default.isExecutableFile(atPath: schemathesis), "schemathesis is not installed: run `make test-tools` (make test does)")
        )
        func schemathesisFindsNoServerError() async throws {
            let box = try TestCertificate.selfSigned(commonName: "hushbox-box")
            let receiver = try await UplinkDeliveryTests.startReceiver(clientCA: box.certificatePEM)
            let certificate = try receiver.directory.write(box.certificatePEM, to: "box.pem")
            let key = try receiver.directory.write(box.privateKeyPEM, to: "box-key.pem")
            let fuzz = try await ChildProcess.run(
                Self.schemathesis,
                ["run", Self.repository.appendingPathComponent("docs/uplink-openapi.yaml").path, "--url", receiver.url, "--checks", "not_a_server_error",
                 "--request-cert", certificate, "--request-cert-key", key, "--tls-verify", "false", "--max-examples", "40", "--seed", "18",
                 "--phases", "examples,coverage,fuzzing", "--no-color", "--workers", "1"],
                directory: receiver.directory.path, environment: HushboxdLifecycleTests.environment([
                    // Signed as a box signs: the fuzzing gets past the 401 to the handlers.
                    "HOME": receiver.directory.path, "SCHEMATHESIS_HOOKS": "schemathesis_hooks", "HUSHBOX_INGEST_SECRET": receiver.secret,
                    "HUSHBOX_SCHEMATHESIS_STATUSES": receiver.directory.child("statuses"),
                    "PYTHONPATH": Self.repository.appendingPathComponent("Tests/Hostile").path,
                ]),
                within: .seconds(600)
            )
            print("schemathesis against hushbox-ingest: \(fuzz.output.split(separator: "\n").suffix(6).joined(separator: " | "))")
            #expect(fuzz.status == 0, "\(fuzz.output.suffix(3000))\n\(fuzz.errors.suffix(2000))")
            // Signed, the fuzzing reaches the handlers: uploads are created, and most answers are not the signature check's 401.
            let statuses = try String(contentsOfFile: receiver.directory.child("statuses"), encoding: .utf8).split(separator: "\n").compactMap { Int($0) }
            let unauthorised = statuses.filter { $0 == 401 }.count
            #expect(statuses.count >= 100 && statuses.contains(201) && unauthorised * 2 < statuses.count, "\(Dictionary(grouping: statuses, by: { $0 }).mapValues(\.count))")
            #expect(kill(receiver.process.processIdentifier, 0) == 0, "hushbox-ingest is still running")
            let client = try receiver.client(as: box)
            #expect(await Self.deliver("after-fuzzing", size: 100_000, client: client) == .delivered(attempts: 1))
            try await client.shutdown()
            receiver.process.send(SIGTERM)
            _ = try await receiver.process.waitForExit()
        }
    }
}
