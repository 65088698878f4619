/// What went wrong with a line's sound card, naming the device and what to do.
public enum LineAudioError: Error, Sendable, Hashable, CustomStringConvertible {
    /// No such device (unplugged, or a name that is wrong).
    case deviceMissing(device: String, reason: String)
    /// Another program holds the device.
    case deviceBusy(device: String)
    /// The device cannot do what the line needs (no 16-bit PCM, no usable rate).
    case unsupported(device: String, reason: String)
    /// The device stopped working mid-stream (unplugged, or a stall longer than the bound).
    case deviceLost(device: String, reason: String)
    /// A configuration file for the line could not be read.
    case configuration(path: String, reason: String)

    public var description: String {
        switch self {
        case .deviceMissing(let device, let reason):
            "the line's sound device \(device) is not there (\(reason)); check that the USB interface is plugged in and that line.capture_device/line.playback_device name it (aplay -L lists them)"
        case .deviceBusy(let device):
            "the line's sound device \(device) is busy: another program holds it; stop it (fuser -v /dev/snd/*)"
        case .unsupported(let device, let reason):
            "the line's sound device \(device) cannot be used: \(reason)"
        case .deviceLost(let device, let reason):
            "the line's sound device \(device) stopped working (\(reason)); it is reopened with back-off"
        case .configuration(let path, let reason):
            "the line's ALSA configuration \(path) cannot be used: \(reason)"
        }
    }
}
