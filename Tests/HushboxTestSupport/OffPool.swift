import Dispatch

/// Runs blocking work (a socket read with a timeout) on a GCD thread, not on
/// Swift's cooperative pool: on a 2-core machine the pool has two threads, and
/// a test blocking one starves the servers other tests run in the same process.
public func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result { try body() }) }
    }
}
