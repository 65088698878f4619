public import Logging

/// A log handler that redacts every message, metadata value and error before
/// handing the event to the handler that writes it. Wrap the process's handler
/// with it once, at bootstrap, and nothing any library logs escapes it.
public struct RedactingLogHandler: LogHandler {
    /// Metadata keys whose values are identifiers shaped like e-mail addresses
    /// (SIP Call-IDs): they keep their form, only numbers and URIs are masked.
    public static let identifierKeys: Set<String> = ["call_id", "call-id", "sip.call_id"]

    private var wrapped: any LogHandler
    private let redactor: Redactor

    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?

    public var logLevel: Logger.Level {
        get { wrapped.logLevel }
        set { wrapped.logLevel = newValue }
    }

    public init(wrapping wrapped: any LogHandler, redactor: Redactor = Redactor()) {
        self.wrapped = wrapped
        self.redactor = redactor
        self.metadataProvider = wrapped.metadataProvider
        // The wrapped handler's own metadata and provider would bypass redaction;
        // this handler owns them instead.
        self.wrapped.metadataProvider = nil
        self.metadata = wrapped.metadata
        self.wrapped.metadata = [:]
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() {
            merged.merge(provided) { _, provided in provided }
        }
        if let explicit = event.metadata {
            merged.merge(explicit) { _, explicit in explicit }
        }
        if let error = event.error {
            // Error descriptions quote input (a bad URI, a number), so they are redacted too.
            merged["error.message"] = .string(String(describing: error))
            merged["error.type"] = .string(String(reflecting: type(of: error)))
        }
        var redacted = event
        redacted.error = nil
        redacted.message = Logger.Message(stringLiteral: redactor.redact(event.message.description))
        redacted.metadata = merged.isEmpty ? nil : merged.reduce(into: [:]) { result, entry in
            result[entry.key] = redact(entry.value, identifier: Self.identifierKeys.contains(entry.key))
        }
        wrapped.log(event: redacted)
    }

    private func redact(_ value: Logger.MetadataValue, identifier: Bool) -> Logger.MetadataValue {
        switch value {
        case .string(let text):
            return .string(identifier ? redactor.redactIdentifier(text) : redactor.redact(text))
        case .stringConvertible(let convertible):
            // Counts, sizes and durations are numbers, never phone numbers (which
            // are text: their leading zeros matter).
            if convertible is any BinaryInteger || convertible is any BinaryFloatingPoint || convertible is Bool {
                return value
            }
            let text = convertible.description
            return .string(identifier ? redactor.redactIdentifier(text) : redactor.redact(text))
        case .array(let values):
            return .array(values.map { redact($0, identifier: identifier) })
        case .dictionary(let values):
            return .dictionary(values.mapValues { redact($0, identifier: identifier) })
        }
    }
}
