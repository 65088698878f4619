import Crypto
import Foundation
public import Media
public import SIPCore
import Synchronization

/// The caller prompts on disk (`<directory>/<language>/<name>.opus` and
/// `<directory>/beep.opus`, rendered by scripts/render-prompts.sh or replaced
/// by a technician's recordings), ready to play in each call's codec.
///
/// Every file is read and checked when the library opens, so a missing or
/// broken prompt stops the daemon at start rather than a caller mid-call.
/// Frames for a codec are made on first use and kept: Opus prompts in 20 ms
/// packets are sent as they are; anything else is decoded and re-encoded.
public final class PromptLibrary: Sendable {
    public let directory: String
    private let files: [FileKey: OggOpusStream]
    private let versions: [PromptLanguage: String]
    private let frameCache = Mutex<[FrameKey: [[UInt8]]]>([:])

    struct FileKey: Hashable {
        let prompt: Prompt
        /// nil for the beep, which every language shares.
        let language: PromptLanguage?
    }

    struct FrameKey: Hashable {
        let file: FileKey
        let codec: AudioCodec
    }

    public init(directory: String) throws(PromptLibraryError) {
        self.directory = directory
        var files: [FileKey: OggOpusStream] = [:]
        var versions: [PromptLanguage: String] = [:]
        for language in PromptLanguage.allCases {
            var digest = SHA256()
            for prompt in Prompt.allCases where prompt.isSpoken {
                let path = "\(directory)/\(language.rawValue)/\(prompt.rawValue).opus"
                let (stream, bytes) = try Self.load(path)
                files[FileKey(prompt: prompt, language: language)] = stream
                if prompt == .disclaimer || prompt == .consentRequest { digest.update(data: bytes) }
            }
            // What a caller heard before consenting: the consent row names it.
            versions[language] = digest.finalize().prefix(8).map { String(format: "%02x", $0) }.joined()
        }
        files[FileKey(prompt: .beep, language: nil)] = try Self.load("\(directory)/beep.opus").0
        self.files = files
        self.versions = versions
    }

    private static func load(_ path: String) throws(PromptLibraryError) -> (OggOpusStream, Data) {
        guard let bytes = FileManager.default.contents(atPath: path) else {
            throw PromptLibraryError("the prompt \(path) is missing: run `make prompts` (or scripts/render-prompts.sh DIR), or put an Ogg Opus recording there")
        }
        do {
            return (try OggOpusReader.read(Array(bytes)), bytes)
        } catch {
            throw PromptLibraryError("the prompt \(path) cannot be played: \(error); re-render it or replace it with an Ogg Opus file (opusenc --framesize 20 in.wav out.opus)")
        }
    }

    /// The digest of the disclaimer and consent question in this language.
    public func version(_ language: PromptLanguage) -> String { versions[language] ?? "unknown" }

    /// The prompt's payloads for a call in `codec`, one per 20 ms packet.
    public func frames(_ prompt: Prompt, language: PromptLanguage, codec: AudioCodec) -> [[UInt8]] {
        let file = FileKey(prompt: prompt, language: prompt.isSpoken ? language : nil)
        let key = FrameKey(file: file, codec: codec)
        if let cached = frameCache.withLock({ $0[key] }) { return cached }
        guard let stream = files[file] else { return [] }
        let frames = Self.frames(of: stream, codec: codec)
        frameCache.withLock { $0[key] = frames }
        return frames
    }

    /// An Ogg Opus recording (a custom greeting) as 20 ms payloads in `codec`.
    public static func frames(of stream: OggOpusStream, codec: AudioCodec) -> [[UInt8]] {
        if codec == .opus, stream.channelCount == 1, stream.packets.allSatisfy({ OpusPacket.samples48k($0) == 960 }) {
            return stream.packets
        }
        let rate: Int32 = codec == .opus ? 16_000 : 8_000
        guard let samples = try? stream.decode(sampleRate: rate) else { return [] }
        let frameSamples = Int(rate) / 50
        var frames: [[UInt8]] = []
        let encoder = codec == .opus ? try? OpusVoiceEncoder(sampleRate: rate, bitRate: 24_000, expectedLossPercent: 0, complexity: 5) : nil
        for start in stride(from: 0, to: samples.count, by: frameSamples) {
            var frame = Array(samples[start..<min(start + frameSamples, samples.count)])
            frame += [Int16](repeating: 0, count: frameSamples - frame.count)
            switch codec {
            case .pcmu: frames.append(G711.encodeMuLaw(frame))
            case .pcma: frames.append(G711.encodeALaw(frame))
            case .opus: if let packet = try? encoder?.encode(frame) { frames.append(packet) }
            }
        }
        return frames
    }
}

public struct PromptLibraryError: Error, Hashable, Sendable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
