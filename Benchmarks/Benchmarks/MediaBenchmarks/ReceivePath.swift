// A receiving call's whole media path per 20 ms packet, against the floor of
// the same C library calls alone (Benchmarks/RawMediaFloor) in the same run.
import Benchmark
import Foundation
import Media
import RawMediaFloor
import SIPCore

/// Ten seconds of a caller's audio as SRTP packets, protected once.
struct RecordedCall {
    static let seconds = 10
    static let key = (0..<30).map { UInt8($0 &* 7 &+ 3) }
    let audio: RTPAudioParameters
    let packets: [[UInt8]]

    init(codec: AudioCodec) throws {
        audio = RTPAudioParameters(
            codec: codec, payloadType: codec == .opus ? 111 : 0, telephoneEventPayloadType: 101, packetTimeMilliseconds: 20,
            remoteAddress: "127.0.0.1", remoteRTPPort: 4000, remoteRTCPPort: 4001, localDirection: .sendrecv,
            srtp: .init(suite: .aesCM128HMACSHA1_80, remoteKeyMaterial: Self.key, localKeyMaterial: Self.key)
        )
        let sender = try SRTPContext(suite: .aesCM128HMACSHA1_80, keyMaterial: Self.key, direction: .outbound)
        let rate = codec == .opus ? 48_000 : 8_000
        let frameSamples = rate / 50
        let encoder = codec == .opus ? try OpusVoiceEncoder(sampleRate: 48_000) : nil
        packets = try (0..<Self.seconds * 50).map { frame in
            // A voice-like signal: a 220 Hz buzz with a 4 Hz syllable envelope.
            let samples = (0..<frameSamples).map { index -> Int16 in
                let time: Double = Double(frame * frameSamples + index) / Double(rate)
                let envelope: Double = 0.6 + 0.4 * sin(2 * Double.pi * 4 * time)
                return Int16(9_000 * envelope * sin(2 * Double.pi * 220 * time))
            }
            let payload = try encoder?.encode(samples) ?? G711.encodeMuLaw(samples)
            let rtp = RTPPacket(payloadType: codec == .opus ? 111 : 0, sequenceNumber: UInt16(frame), timestamp: UInt32(frame * frameSamples), ssrc: 0x1234, payload: payload)
            return try sender.protect(rtp: rtp.serialized)
        }
    }
}

struct DiscardingSink: RecordingSink {
    var count = 0
    mutating func write(_ bytes: [UInt8]) throws { count += bytes.count }
}

/// The Swift path of one call: authenticate and latch (InboundMedia), jitter
/// buffer and decode (AudioReceiver), silence detection, then the recording.
func receiveCall(_ call: RecordedCall, record: (RTPPacket, [Int16]) throws -> Void) throws {
    let inbound = try InboundMedia(audio: call.audio, sources: MediaSources { _ in true })
    let receiver = try AudioReceiver(audio: call.audio)
    var silence = SilenceDetector(sampleRate: receiver.outputSampleRate)
    let source = MediaEndpoint(host: "127.0.0.1", port: 4000)
    for (index, datagram) in call.packets.enumerated() {
        guard let packet = inbound.receive(datagram, from: source) else { fatalError("a packet failed authentication") }
        let now = Duration.milliseconds(Int64(index * 20))
        receiver.insert(packet, arrival: now)
        if let frame = receiver.pull(at: now + .milliseconds(20)) {
            silence.process(frame)
            try record(packet, frame)
        }
    }
    blackHole(silence.speech)
}

/// The floor: the same packets through libsrtp2 and libopus from C.
func receiveCallInC(_ call: RecordedCall, transcode: Bool) {
    guard let raw = raw_media_call_create(call.audio.codec == .opus ? 1 : 0, transcode ? 1 : 0, 5, RecordedCall.key) else {
        fatalError("raw_media_call_create failed")
    }
    defer { raw_media_call_destroy(raw) }
    var buffer = [UInt8](repeating: 0, count: 1_500)
    for datagram in call.packets {
        buffer.replaceSubrange(0..<datagram.count, with: datagram)
        let result = buffer.withUnsafeMutableBufferPointer { raw_media_call_receive(raw, $0.baseAddress, Int32(datagram.count)) }
        if result < 0 { fatalError("raw path failed with \(result)") }
        blackHole(result)
    }
}

func receivePathBenchmarks() {
    let g711Call = try! RecordedCall(codec: .pcmu)
    let opusCall = try! RecordedCall(codec: .opus)
    let configuration = Benchmark.Configuration(
        metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .peakMemoryResident], timeUnits: .milliseconds, maxDuration: .seconds(4), maxIterations: 200
    )
    let callLabel = "a 10 s call, 500 packets"

    Benchmark("G.711 in, transcoded to Ogg Opus (Swift path, \(callLabel))", configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations {
            let recorder = try OggOpusRecorder(sink: DiscardingSink(), inputSampleRate: 8_000)
            try receiveCall(g711Call) { _, frame in try recorder.write(frame) }
            try recorder.finish()
            blackHole(recorder.sink.count)
        }
    }
    Benchmark("Floor: G.711 in, libsrtp2 unprotect + µ-law + libopus encode in C (\(callLabel))", configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations { receiveCallInC(g711Call, transcode: true) }
    }
    Benchmark("Opus in, stored by pass-through, decoded for silence detection (Swift path, \(callLabel))", configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations {
            let writer = try OggOpusWriter(sink: DiscardingSink(), serial: 1)
            try receiveCall(opusCall) { packet, _ in try writer.append(packet.payload, rtpTimestamp: packet.timestamp) }
            try writer.finish()
            blackHole(writer.sink.count)
        }
    }
    Benchmark("Floor: Opus in, libsrtp2 unprotect + libopus decode in C (\(callLabel))", configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations { receiveCallInC(opusCall, transcode: false) }
    }
    Benchmark("Opus in, transcoded (decode, re-encode) (Swift path, \(callLabel))", configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations {
            let recorder = try OggOpusRecorder(sink: DiscardingSink(), inputSampleRate: 16_000)
            try receiveCall(opusCall) { _, frame in try recorder.write(frame) }
            try recorder.finish()
            blackHole(recorder.sink.count)
        }
    }
    Benchmark("Floor: Opus in, libsrtp2 unprotect + libopus decode + encode in C (\(callLabel))", configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations { receiveCallInC(opusCall, transcode: true) }
    }
}

/// Memory per call: the resident peak while `calls` G.711 calls are mid-message
/// at once (SRTP context, jitter buffer, decoder, Opus encoder, Ogg page
/// buffer), against one call, in the same run.
func memoryPerCallBenchmarks() {
    let g711Call = try! RecordedCall(codec: .pcmu)
    let configuration = Benchmark.Configuration(metrics: [.peakMemoryResident, .wallClock], timeUnits: .milliseconds, maxDuration: .seconds(10), maxIterations: 3)
    for calls in [1, 200] {
        Benchmark("Memory: \(calls) G.711 call(s) recording at once, 1 s into the message", configuration: configuration) { benchmark in
            for _ in benchmark.scaledIterations {
                var held: [(InboundMedia, AudioReceiver, OggOpusRecorder<DiscardingSink>)] = []
                for _ in 0..<calls {
                    let inbound = try InboundMedia(audio: g711Call.audio, sources: MediaSources { _ in true })
                    let receiver = try AudioReceiver(audio: g711Call.audio)
                    let recorder = try OggOpusRecorder(sink: DiscardingSink(), inputSampleRate: 8_000)
                    for (index, datagram) in g711Call.packets.prefix(50).enumerated() {
                        guard let packet = inbound.receive(datagram, from: MediaEndpoint(host: "127.0.0.1", port: 4000)) else { continue }
                        let now = Duration.milliseconds(Int64(index * 20))
                        receiver.insert(packet, arrival: now)
                        if let frame = receiver.pull(at: now + .milliseconds(20)) { try recorder.write(frame) }
                    }
                    held.append((inbound, receiver, recorder))
                }
                blackHole(held)
            }
        }
    }
}
