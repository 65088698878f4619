/// The sd_notify(3) protocol as values: what Hushbox tells systemd, and what
/// systemd's environment tells Hushbox. Pure; ``SystemdNotifySocket`` sends.
public enum SystemdNotification: Sendable, Hashable {
    /// Start-up is finished: every listener is bound (Type=notify units wait for it).
    case ready(status: String)
    /// Graceful shutdown has begun.
    case stopping
    /// Still alive (WatchdogSec=).
    case watchdog
    /// A one-line status shown by `systemctl status`.
    case status(String)

    /// The datagram's text, newline-separated assignments as sd_notify(3) defines.
    public var message: String {
        switch self {
        case .ready(let status): "READY=1\nSTATUS=\(Self.oneLine(status))"
        case .stopping: "STOPPING=1"
        case .watchdog: "WATCHDOG=1"
        case .status(let status): "STATUS=\(Self.oneLine(status))"
        }
    }

    private static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).joined(separator: " ")
    }
}

/// What systemd's environment says about notifications for this process.
public struct SystemdEnvironment: Sendable, Hashable {
    /// `$NOTIFY_SOCKET`: a path, or an abstract socket name starting with `@`.
    public let notifySocket: String?
    /// Half of `$WATCHDOG_USEC`, as sd_watchdog_enabled(3) advises, when the
    /// watchdog is meant for this process (`$WATCHDOG_PID` unset or ours).
    public let watchdogInterval: Duration?

    public init(environment: [String: String], processID: Int32) {
        notifySocket = environment["NOTIFY_SOCKET"].flatMap { $0.isEmpty ? nil : $0 }
        var interval: Duration?
        if let text = environment["WATCHDOG_USEC"], let microseconds = Int64(text), microseconds > 0 {
            let forThisProcess = environment["WATCHDOG_PID"].map { Int32($0) == processID } ?? true
            if forThisProcess { interval = .microseconds(microseconds / 2) }
        }
        watchdogInterval = notifySocket == nil ? nil : interval
    }
}
