/// Where a line board's control lines are: the GPIO chip, and each line's
/// offset and polarity (from the board profile).
public struct GPIOLines: Sendable, Hashable {
    /// The chip by name (`gpiochip0`), path (`/dev/gpiochip0`), label (`pinctrl-bcm2711`) or number.
    public var chip: String
    public var ring: UInt32
    public var ringActiveLow: Bool
    public var hook: UInt32
    public var hookActiveLow: Bool
    /// An input that is active while the exchange feeds loop current, where the board has one.
    public var loopCurrent: UInt32?
    public var loopCurrentActiveLow: Bool

    public init(
        chip: String, ring: UInt32, ringActiveLow: Bool, hook: UInt32, hookActiveLow: Bool, loopCurrent: UInt32? = nil, loopCurrentActiveLow: Bool = false
    ) {
        self.chip = chip
        self.ring = ring
        self.ringActiveLow = ringActiveLow
        self.hook = hook
        self.hookActiveLow = hookActiveLow
        self.loopCurrent = loopCurrent
        self.loopCurrentActiveLow = loopCurrentActiveLow
    }
}

/// What went wrong with a board's GPIO lines, naming them and what to do.
public enum GPIOError: Error, Sendable, Hashable, CustomStringConvertible {
    case chipMissing(chip: String, reason: String)
    case lineUnavailable(chip: String, offset: UInt32, role: String, reason: String)
    case io(reason: String)

    public var description: String {
        switch self {
        case .chipMissing(let chip, let reason):
            "the GPIO chip \(chip) is not there (\(reason)); check line.gpio_chip against gpiodetect, and that the service may open /dev/gpiochip*"
        case .lineUnavailable(let chip, let offset, let role, let reason):
            "the \(role) line \(offset) of \(chip) cannot be used (\(reason)); gpioinfo \(chip) shows who holds it"
        case .io(let reason):
            "reading the GPIO lines failed: \(reason)"
        }
    }
}
