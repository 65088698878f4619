public import ServiceLifecycle

/// Runs a listener's service and turns a failure to bind into a
/// ``ListenerFailure`` naming the listener, so the daemon reports "cannot listen
/// for the operations endpoint on 127.0.0.1:9464" rather than a raw bind(2) error.
public struct ListeningService<Wrapped: Service>: Service, CustomStringConvertible {
    private let wrapped: Wrapped
    private let failure: @Sendable (any Error) -> ListenerFailure

    public init(_ wrapped: Wrapped, failure: @escaping @Sendable (any Error) -> ListenerFailure) {
        self.wrapped = wrapped
        self.failure = failure
    }

    public var description: String { String(describing: wrapped) }

    public func run() async throws {
        do {
            try await wrapped.run()
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw failure(error)
        }
    }
}
