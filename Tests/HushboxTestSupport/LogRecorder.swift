public import Logging
public import Synchronization

/// Keeps every log event a logger is asked to write, for tests that check what
/// an operator would read (and that nothing private is in it).
public final class LogRecorder: Sendable {
    public let events = Mutex<[LogEvent]>([])

    public init() {}

    /// A handler that records into this recorder, at every level.
    public var handler: Handler { Handler(recorder: self) }

    /// A logger writing here only.
    public func logger(label: String = "test") -> Logger {
        let handler = self.handler
        return Logger(label: label) { _ in handler }
    }

    /// Each recorded event's level and rendered message.
    public var lines: [(level: Logger.Level, message: String)] {
        events.withLock { $0.map { ($0.level, $0.message.description) } }
    }

    public struct Handler: LogHandler {
        let recorder: LogRecorder
        public var metadata: Logger.Metadata = [:]
        public var metadataProvider: Logger.MetadataProvider?
        public var logLevel: Logger.Level = .trace

        public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        public func log(event: LogEvent) {
            var event = event
            if !metadata.isEmpty { event.metadata = metadata.merging(event.metadata ?? [:]) { $1 } }
            recorder.events.withLock { $0.append(event) }
        }
    }
}
