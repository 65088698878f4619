/// The line's unit of audio: 20 ms of mono 16-bit PCM at 8 kHz, as a call
/// hears and speaks it.
public enum LineFrame {
    public static let sampleRate = 8000
    public static let samples = 160
    public static let duration = Duration.milliseconds(20)
}
