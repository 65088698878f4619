import Foundation

/// Why an uploaded audio file could not become a greeting: what to do is in the text.
public enum AudioImportError: Error, Sendable, Equatable, CustomStringConvertible {
    case unreadable(String)
    case unsupported(String)
    case tooLong(maximumSeconds: Int)
    case tooShort(seconds: Double)
    case encoding(String)

    public var description: String {
        switch self {
        case .unreadable(let reason):
            "the file is not audio libsndfile can read (\(reason)): upload WAV, FLAC, Ogg Vorbis or Opus, AIFF or MP3 (convert an M4A from a phone to one of these first)"
        case .unsupported(let reason): "the audio is not usable: \(reason)"
        case .tooLong(let seconds): "a greeting lasts at most \(seconds) seconds; trim the recording"
        case .tooShort(let seconds): "a greeting lasts at least 1 second; this one lasts \(String(format: "%.1f", seconds)) s"
        case .encoding(let reason): "the box could not encode the greeting: \(reason)"
        }
    }
}
