import Dispatch
import Synchronization
public import Vault

/// One call's disk and database work, off its 20 ms tick. Sealed chunks are
/// written with an fsync each, and a slow SD card takes hundreds of
/// milliseconds for one; done on the tick, the caller would hear the prompts
/// stutter and lose the audio that arrived meanwhile. So the call's task only
/// queues the bytes of its message (``write(_:)`` never waits) and awaits the
/// rest (``perform(_:)``: the call's rows, the commit at the end) without
/// holding a thread; the jobs run in order on the call's own serial queue.
/// Every call's queue runs on its box's one storage thread (``Backlog``):
/// the card is one device, and however many calls wait on a slow one, one
/// thread is blocked.
///
/// The queue is bounded by the bytes waiting in it: a card that falls so far
/// behind that ``isBehind`` says so ends the message as cut off with what was
/// written, never grows memory without end.
public final class RecordingStorage: Sendable {
    /// The box's storage: the one thread every call's queue runs on, and
    /// what is waiting there, summed over the calls (the metrics read it; a
    /// growing figure is a card too slow for the calls it has). One per box
    /// (one per vault in tests, so that a test's stalled card stalls only its own calls).
    public final class Backlog: Sendable {
        private let bytes = Atomic<Int>(0)
        private let jobs = Atomic<Int>(0)
        fileprivate let thread = DispatchQueue(label: "hushbox.storage", qos: .utility)

        public init() {}

        /// Bytes of messages queued and not yet on disk.
        public var queuedBytes: Int { bytes.load(ordering: .relaxed) }
        /// Jobs (writes, the calls' rows and commits) queued or running.
        public var queuedJobs: Int { jobs.load(ordering: .relaxed) }

        fileprivate func add(bytes count: Int, jobs added: Int) {
            bytes.add(count, ordering: .relaxed)
            jobs.add(added, ordering: .relaxed)
        }
    }

    /// The message being written: the vault's writer lives here and is only
    /// touched by jobs, one at a time.
    private struct OpenMessage {
        let voicemail: Voicemail
        let writer: SealedObjectWriter
        /// The first write that failed (a full or broken card): the object is
        /// then unusable and is discarded when the call is stored.
        var failure: VaultError?
    }

    private let queue: DispatchQueue
    private let message = Mutex<OpenMessage?>(nil)
    private let queuedBytes = Atomic<Int>(0)
    private let failed = Atomic<Bool>(false)
    private let byteLimit: Int
    private let backlog: Backlog

    /// - Parameters:
    ///   - byteLimit: the message bytes that may wait for the card before the
    ///     message is cut off.
    ///   - backlog: the box-wide figure this call's queue adds to.
    public init(byteLimit: Int, backlog: Backlog) {
        precondition(byteLimit > 0, "a storage queue needs room for at least one byte")
        queue = DispatchQueue(label: "hushbox.call-storage", qos: .utility, target: backlog.thread)
        self.byteLimit = byteLimit
        self.backlog = backlog
    }

    /// Message bytes queued and not yet written.
    public var pendingBytes: Int { queuedBytes.load(ordering: .acquiring) }

    /// More message bytes are waiting than the limit allows: the card is not
    /// keeping up, and the message must end.
    public var isBehind: Bool { pendingBytes > byteLimit }

    /// A write of the message failed; what was queued after it was dropped.
    public var hasFailed: Bool { failed.load(ordering: .acquiring) }

    /// Runs `work` after every job queued before it, on the storage queue;
    /// the caller's task is suspended, no thread waits.
    public func perform<Value: Sendable>(_ work: @escaping @Sendable () throws(VaultError) -> Value) async throws(VaultError) -> Value {
        backlog.add(bytes: 0, jobs: 1)
        let result: Result<Value, VaultError> = await withCheckedContinuation { continuation in
            queue.async { [backlog] in
                let result = Result { () throws(VaultError) in try work() }
                // Counted out before the caller goes on: what it reads next includes this job's end.
                backlog.add(bytes: 0, jobs: -1)
                continuation.resume(returning: result)
            }
        }
        return try result.get()
    }

    /// Starts the message: its sealed object, its row and its consent, as a
    /// job; what ``write(_:)`` queues after it goes into that object.
    public func beginMessage(_ begin: @escaping @Sendable () throws(VaultError) -> sending (Voicemail, SealedObjectWriter)) {
        enqueue(bytes: 0) { [self] in
            do throws(VaultError) {
                try message.withLock { open throws(VaultError) in
                    let (voicemail, writer) = try begin()
                    open = OpenMessage(voicemail: voicemail, writer: writer)
                }
            } catch {
                failed.store(true, ordering: .releasing)
            }
        }
    }

    /// Queues bytes of the message; never waits for the card.
    public func write(_ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        enqueue(bytes: bytes.count) { [self] in
            message.withLock { open in
                guard var current = open, current.failure == nil else { return }
                do throws(VaultError) {
                    try current.writer.write(bytes)
                } catch {
                    current.failure = error
                    open = current
                    failed.store(true, ordering: .releasing)
                }
            }
        }
    }

    /// Ends the message as a job after every write: the voicemail row and
    /// the writer go to `complete`, with `keep` false when a write failed
    /// (the object is then discarded). `complete` gets nil when the message
    /// never began.
    public func finishMessage<Value: Sendable>(
        _ complete: @escaping @Sendable (_ recording: (Voicemail, SealedObjectWriter, failure: VaultError?)?) throws(VaultError) -> Value
    ) async throws(VaultError) -> Value {
        try await perform { [self] () throws(VaultError) in
            // Under the lock only to reach the writer: jobs run one at a time.
            try message.withLock { open throws(VaultError) -> Value in
                defer { open = nil }
                return try complete(open.map { ($0.voicemail, $0.writer, failure: $0.failure) })
            }
        }
    }

    private func enqueue(bytes count: Int, _ job: @escaping @Sendable () -> Void) {
        queuedBytes.add(count, ordering: .releasing)
        backlog.add(bytes: count, jobs: 1)
        queue.async { [self] in
            job()
            queuedBytes.subtract(count, ordering: .releasing)
            backlog.add(bytes: -count, jobs: -1)
        }
    }
}
