import Synchronization

/// Counts datagrams dropped at the socket because their source is no peer's,
/// and makes sure the core hears of them through the bounded queue with at
/// most one waiting notice, however many arrive: the core folds the count
/// into its counters and writes its throttled log line.
final class StrangerDropTally: Sendable {
    private let count = Atomic<Int>(0)
    private let total = Atomic<Int>(0)
    private let noticeQueued = Atomic<Bool>(false)

    /// Counts one drop; returns true when a notice is to be queued now (none waits).
    func record() -> Bool {
        // Sequentially consistent, with take()'s store and exchange: a drop counted
        // after take() read the count either sees the flag cleared and queues a
        // notice, or was read by take() (no drop waits without a notice on the way).
        count.add(1, ordering: .sequentiallyConsistent)
        total.add(1, ordering: .relaxed)
        return noticeQueued.compareExchange(expected: false, desired: true, ordering: .sequentiallyConsistent).exchanged
    }

    /// Every drop since the start, for the transport counters.
    var dropped: Int { total.load(ordering: .relaxed) }

    /// The notice could not be queued (the queue was full): the next drop tries again.
    func noticeLost() {
        noticeQueued.store(false, ordering: .sequentiallyConsistent)
    }

    /// Takes the drops counted so far; the next drop queues a new notice.
    /// The flag is cleared first, so a drop that lands between the two steps
    /// is either taken now or announced by a notice of its own.
    func take() -> Int {
        noticeQueued.store(false, ordering: .sequentiallyConsistent)
        return count.exchange(0, ordering: .sequentiallyConsistent)
    }
}
