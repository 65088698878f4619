/// Hands out even RTP ports from the configured range (RFC 3550 §11: RTP on an
/// even port, RTCP on the next odd one) and takes them back when calls end.
/// Bookkeeping only: the media layer binds the port it is given.
struct MediaPortPool: Sendable {
    private var free: [Int]
    private var inUse: Set<Int> = []

    init(range: ClosedRange<Int>) {
        let first = range.lowerBound + range.lowerBound % 2
        free = Array(stride(from: first, to: range.upperBound, by: 2)).reversed()
    }

    var available: Int { free.count }

    mutating func take() -> Int? {
        guard let port = free.popLast() else { return nil }
        inUse.insert(port)
        return port
    }

    mutating func give(_ port: Int) {
        guard inUse.remove(port) != nil else { return }
        // Reused last, so a late packet of an ended call rarely meets a new one.
        free.insert(port, at: 0)
    }
}
