/// Hears that the caller hung up by the tone the exchange then plays on the
/// line: busy, congestion or dial tone in the line's country. Each 20 ms
/// frame counts as tone when most of its energy lies at a tone's frequencies
/// (``ToneShare``), and the ``CadenceMatcher`` recognises the tone's rhythm.
/// Not Sendable: one call's thread owns it.
public final class HangUpToneDetector {
    /// A recognised tone, and how long ago (in frame time) it began.
    public struct Heard: Sendable, Hashable {
        public var kind: ToneCountry.Tone.Kind
        public var heardFor: Duration
    }

    private var matchers: [(ToneCountry.Tone, ToneShare, CadenceMatcher)]
    private var frame = 0
    /// The share of a frame's energy at the frequencies from which it counts as tone.
    static let toneShare = 0.6
    /// Frames quieter than this (about −50 dBFS) are not tone, whatever their spectrum.
    static let minimumEnergyPerSample = 10.0 * 10.0

    public init(country: ToneCountry) {
        matchers = country.tones.map { ($0, ToneShare(frequencies: $0.frequencies), CadenceMatcher(cadence: $0.cadence)) }
    }

    /// Takes one 20 ms frame at 8 kHz; returns the tone once it is recognised.
    public func process(_ frame: [Int16]) -> Heard? {
        defer { self.frame += 1 }
        var energy = 0.0
        for sample in frame { energy += Double(sample) * Double(sample) }
        let loud = energy / Double(max(frame.count, 1)) >= Self.minimumEnergyPerSample
        var heard: Heard?
        for index in matchers.indices {
            let on = loud && matchers[index].1.share(of: frame) >= Self.toneShare
            if let start = matchers[index].2.take(toneOn: on), heard == nil {
                heard = Heard(kind: matchers[index].0.kind, heardFor: LineFrame.duration * (self.frame + 1 - start))
            }
        }
        return heard
    }
}
