/// Tells a stream that started anew under another SSRC from a stray packet
/// under one: only a run of consecutive packets under the same new SSRC
/// counts as the new stream, so a device that sends a few packets under a
/// second SSRC (comfort noise, events) does not make our reports flip.
struct SSRCChange {
    /// Consecutive packets under one new SSRC that make it the stream's.
    static let packetsToSwitch = 3
    private var candidate: UInt32?
    private var seen = 0

    /// True when `ssrc` has now become the stream's SSRC in place of `current`.
    mutating func observe(_ ssrc: UInt32, current: UInt32?) -> Bool {
        guard ssrc != current else {
            candidate = nil
            seen = 0
            return false
        }
        if ssrc == candidate {
            seen += 1
        } else {
            candidate = ssrc
            seen = 1
        }
        guard seen >= Self.packetsToSwitch else { return false }
        candidate = nil
        seen = 0
        return true
    }
}
