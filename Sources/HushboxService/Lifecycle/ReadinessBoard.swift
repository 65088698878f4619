/// Collects "I am listening" reports from the daemon's components, so that
/// readiness (READY=1, the start-up summary) is announced only once every
/// expected component is bound, with the addresses they actually got.
public struct ReadinessBoard: Sendable {
    /// A component that reported ready, and where it can be reached.
    public struct Component: Sendable, Hashable {
        public let name: String
        public let detail: String
    }

    public let expected: Set<String>
    private let stream: AsyncStream<Component>
    private let continuation: AsyncStream<Component>.Continuation

    public init(expecting expected: Set<String>) {
        self.expected = expected
        (stream, continuation) = AsyncStream.makeStream(of: Component.self)
    }

    /// Called by a component once it is ready, e.g. with its bound address.
    public func report(_ name: String, detail: String) {
        continuation.yield(Component(name: name, detail: detail))
    }

    /// Waits until every expected component has reported, and returns them in
    /// report order; nil if the waiting task is cancelled first. One waiter only.
    func waitForAll() async -> [Component]? {
        var reported: [Component] = []
        var pending = expected
        if pending.isEmpty { return [] }
        for await component in stream {
            guard pending.remove(component.name) != nil else { continue }
            reported.append(component)
            if pending.isEmpty { return reported }
        }
        return nil
    }
}
