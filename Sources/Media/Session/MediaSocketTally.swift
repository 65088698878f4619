import Synchronization

/// What a call's media sockets dropped on the event loop, before the session
/// saw it: datagrams from outside the peer's sources or from another source
/// than the one the session latched (see ``MediaGate``), and datagrams
/// pushed out of the full queue to the session.
final class MediaSocketTally: Sendable {
    private let outside = Atomic<Int>(0)
    private let full = Atomic<Int>(0)
    private let queued = Atomic<Int>(0)
    private let wrongSource = Atomic<Int>(0)
    private let controlRefused = Atomic<Int>(0)

    func countOutsidePeerSources() { outside.add(1, ordering: .relaxed) }
    func countQueueFull() { full.add(1, ordering: .relaxed) }
    func countQueued(_ count: Int = 1) { queued.add(count, ordering: .relaxed) }
    func countWrongSource() { wrongSource.add(1, ordering: .relaxed) }
    func countControlRefused() { controlRefused.add(1, ordering: .relaxed) }

    var outsidePeerSources: Int { outside.load(ordering: .relaxed) }
    var queueFull: Int { full.load(ordering: .relaxed) }
    var queuedCount: Int { queued.load(ordering: .relaxed) }
    var fromWrongSource: Int { wrongSource.load(ordering: .relaxed) }
    var controlRefusedCount: Int { controlRefused.load(ordering: .relaxed) }
}
