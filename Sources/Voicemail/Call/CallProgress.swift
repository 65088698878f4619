import Synchronization

/// How far a running call has got, readable from outside its task: the
/// 20 ms ticks and the caller's packets it has handled. Tests on virtual
/// time move the clock in lockstep with it (each tick handled before the
/// next), and it is what a per-call gauge would read.
public final class CallProgress: Sendable {
    private let ticks = Atomic<Int>(0)
    private let packets = Atomic<Int>(0)

    public init() {}

    /// Ticks the call has handled.
    public var ticksHandled: Int { ticks.load(ordering: .acquiring) }
    /// The caller's media packets (audio and events) the call has taken in.
    public var packetsHandled: Int { packets.load(ordering: .acquiring) }

    func tickHandled() { ticks.add(1, ordering: .releasing) }
    func packetHandled() { packets.add(1, ordering: .releasing) }
}
