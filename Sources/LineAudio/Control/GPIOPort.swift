import CGPIOD
import Glibc

/// A line board's control lines through libgpiod 1.6 (the v1 API): the ring
/// detector and the loop-current input as edge events, the hook relay as an
/// output. Polarity is the kernel's (`ACTIVE_LOW`), so "active" means ringing,
/// off hook, current flowing. Not Sendable: the line's ring thread owns it.
public final class GPIOPort {
    public enum Input: Sendable, Hashable {
        case ring
        case loopCurrent
    }

    public struct Change: Sendable, Hashable {
        public var input: Input
        public var active: Bool

        public init(input: Input, active: Bool) {
            self.input = input
            self.active = active
        }
    }

    private let chip: OpaquePointer
    private let ring: OpaquePointer
    private let hook: OpaquePointer
    private let loopCurrent: OpaquePointer?
    public let lines: GPIOLines

    public init(_ lines: GPIOLines, consumer: String = "hushbox") throws(GPIOError) {
        self.lines = lines
        guard let chip = gpiod_chip_open_lookup(lines.chip) else { throw .chipMissing(chip: lines.chip, reason: String(cString: strerror(errno))) }
        func line(_ offset: UInt32, _ role: String) throws(GPIOError) -> OpaquePointer {
            guard let line = gpiod_chip_get_line(chip, offset) else {
                throw .lineUnavailable(chip: lines.chip, offset: offset, role: role, reason: String(cString: strerror(errno)))
            }
            return line
        }
        func flags(_ activeLow: Bool) -> Int32 { activeLow ? Int32(GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW) : 0 }
        do throws(GPIOError) {
            let ring = try line(lines.ring, "ring-detect")
            guard gpiod_line_request_both_edges_events_flags(ring, consumer, flags(lines.ringActiveLow)) == 0 else {
                throw GPIOError.lineUnavailable(chip: lines.chip, offset: lines.ring, role: "ring-detect", reason: String(cString: strerror(errno)))
            }
            let hook = try line(lines.hook, "hook relay")
            // On hook from the first instant.
            guard gpiod_line_request_output_flags(hook, consumer, flags(lines.hookActiveLow), 0) == 0 else {
                throw GPIOError.lineUnavailable(chip: lines.chip, offset: lines.hook, role: "hook relay", reason: String(cString: strerror(errno)))
            }
            var current: OpaquePointer?
            if let offset = lines.loopCurrent {
                let input = try line(offset, "loop-current")
                guard gpiod_line_request_both_edges_events_flags(input, consumer, flags(lines.loopCurrentActiveLow)) == 0 else {
                    throw GPIOError.lineUnavailable(chip: lines.chip, offset: offset, role: "loop-current", reason: String(cString: strerror(errno)))
                }
                current = input
            }
            self.chip = chip
            self.ring = ring
            self.hook = hook
            loopCurrent = current
        } catch {
            gpiod_chip_close(chip)
            throw error
        }
    }

    deinit {
        gpiod_line_set_value(hook, 0)
        // Closing the chip releases every line it handed out.
        gpiod_chip_close(chip)
    }

    /// Takes the line off hook (true) or puts it back on hook.
    public func setOffHook(_ offHook: Bool) throws(GPIOError) {
        guard gpiod_line_set_value(hook, offHook ? 1 : 0) == 0 else { throw .io(reason: String(cString: strerror(errno))) }
    }

    /// Whether the ring input is active now.
    public func ringing() throws(GPIOError) -> Bool {
        let value = gpiod_line_get_value(ring)
        guard value >= 0 else { throw .io(reason: String(cString: strerror(errno))) }
        return value == 1
    }

    /// Waits up to `timeout` for edges on the inputs; returns them in order (empty on timeout).
    public func waitForChanges(timeout: Duration) throws(GPIOError) -> [Change] {
        var inputs: [(Input, OpaquePointer)] = [(.ring, ring)]
        if let loopCurrent { inputs.append((.loopCurrent, loopCurrent)) }
        var fds = inputs.map { pollfd(fd: gpiod_line_event_get_fd($0.1), events: Int16(POLLIN), revents: 0) }
        let milliseconds = Int32(timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        let ready = poll(&fds, nfds_t(fds.count), milliseconds)
        if ready < 0, errno != EINTR { throw .io(reason: String(cString: strerror(errno))) }
        guard ready > 0 else { return [] }
        // A chip that went away reports an error or a hang-up, not an edge.
        if let failed = fds.first(where: { $0.revents & Int16(POLLERR | POLLHUP | POLLNVAL) != 0 }) {
            throw .io(reason: "the GPIO chip's line \(failed.fd) reported an error or hang-up (revents \(failed.revents))")
        }
        var changes: [Change] = []
        for (index, (input, line)) in inputs.enumerated() where fds[index].revents & Int16(POLLIN) != 0 {
            // At most 16 events a wake-up: a line that chatters cannot hold the thread.
            var events = [gpiod_line_event](repeating: gpiod_line_event(), count: 16)
            let count = gpiod_line_event_read_multiple(line, &events, UInt32(events.count))
            guard count >= 0 else { throw .io(reason: String(cString: strerror(errno))) }
            for event in events.prefix(Int(count)) {
                changes.append(Change(input: input, active: event.event_type == Int32(GPIOD_LINE_EVENT_RISING_EDGE)))
            }
        }
        return changes
    }
}
