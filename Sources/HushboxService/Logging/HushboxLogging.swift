public import Logging

/// How Hushbox's processes log: swift-log's standard-error handler behind the
/// redaction layer, at the configured level.
public enum HushboxLogging {
    /// Installs the process's log handler. Call once, first thing in `main`.
    public static func bootstrap(level: Logger.Level) {
        LoggingSystem.bootstrap { label in
            makeHandler(label: label, level: level)
        }
    }

    /// A redacting handler over standard error.
    public static func makeHandler(label: String, level: Logger.Level) -> RedactingLogHandler {
        var handler = RedactingLogHandler(wrapping: StreamLogHandler.standardError(label: label))
        handler.logLevel = level
        return handler
    }
}
