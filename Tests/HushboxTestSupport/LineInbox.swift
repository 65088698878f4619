import Foundation
import Synchronization

/// Messages arriving from another thread (a child's output, datagrams), kept in
/// order so a test can wait, with a bound, for the one it expects.
public final class LineInbox: Sendable {
    private let received = Mutex<[String]>([])
    private let closed = Atomic<Bool>(false)

    public init() {}

    public func append(_ message: String) {
        received.withLock { $0.append(message) }
    }

    public func close() {
        closed.store(true, ordering: .releasing)
    }

    public var all: [String] { received.withLock { $0 } }
    public var isClosed: Bool { closed.load(ordering: .acquiring) }

    /// Waits until a message satisfying `predicate` has arrived, and returns the
    /// first such message. Throws when `limit` passes first.
    @discardableResult
    public func waitFor(
        _ what: String, within limit: Duration = .seconds(20), where predicate: (String) -> Bool
    ) async throws -> String {
        let deadline = ContinuousClock.now.advanced(by: limit)
        while true {
            if let match = all.first(where: predicate) { return match }
            guard ContinuousClock.now < deadline else {
                throw TestTimeout(what: "\(what); received so far:\n" + all.joined(separator: "\n"))
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Waits until `count` messages satisfy `predicate`.
    public func waitForCount(
        _ count: Int, _ what: String, within limit: Duration = .seconds(20), where predicate: (String) -> Bool
    ) async throws {
        let deadline = ContinuousClock.now.advanced(by: limit)
        while all.filter(predicate).count < count {
            guard ContinuousClock.now < deadline else {
                throw TestTimeout(what: "\(count)× \(what); received so far:\n" + all.joined(separator: "\n"))
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }
}
