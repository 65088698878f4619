/// Hands out even RTP ports from the configured range (RFC 3550 §11: RTP on an
/// even port, RTCP on the next odd one) and takes them back when calls end.
/// Bookkeeping only: the media layer binds the port it is given.
///
/// Ports are drawn at random from the free ones with the generator the caller
/// injects (the core's): a port handed out in order tells a scanner where the
/// next call's media will be, and the sockets of a plaintext call are the
/// thing to spray. Taking and giving are O(1) however full the pool is: the
/// free ports live in an array and a drawn one is swapped with the last.
struct MediaPortPool: Sendable {
    private var free: [Int]
    private var inUse: Set<Int> = []
    /// Ports of calls that just ended, oldest first: they go back into the draw
    /// only after `cooling` later releases (or when nothing else is free), so a
    /// late packet of an ended call rarely meets a new one.
    private var coolingDown: [Int] = []
    private let cooling: Int

    init(range: ClosedRange<Int>) {
        let first = range.lowerBound + range.lowerBound % 2
        // RTCP needs the odd port above, so the last even port must leave room for it.
        free = Array(stride(from: first, to: range.upperBound, by: 2))
        cooling = min(16, free.count / 4)
    }

    var available: Int { free.count + coolingDown.count }

    mutating func take(using random: inout some RandomNumberGenerator) -> Int? {
        let port: Int
        if !free.isEmpty {
            let index = Int.random(in: free.indices, using: &random)
            free.swapAt(index, free.count - 1)
            port = free.removeLast()
        } else if !coolingDown.isEmpty {
            port = coolingDown.removeFirst()
        } else {
            return nil
        }
        inUse.insert(port)
        return port
    }

    mutating func give(_ port: Int) {
        guard inUse.remove(port) != nil else { return }
        coolingDown.append(port)
        if coolingDown.count > cooling {
            free.append(coolingDown.removeFirst())
        }
    }
}
