import HushboxService
import HushboxTestSupport
import Logging
import Synchronization
import Testing

@Suite("The redacting log handler")
struct RedactingLogHandlerTests {
    private func logger(_ recorder: LogRecorder) -> Logger {
        let handler = RedactingLogHandler(wrapping: recorder.handler)
        return Logger(label: "test") { _ in handler }
    }

    @Test("messages, metadata, logger metadata and errors are all redacted before they are written")
    func everythingRedacted() throws {
        let recorder = LogRecorder()
        var logger = logger(recorder)
        logger[metadataKey: "peer"] = "sip:alice@atlanta.example.com"
        struct LookupFailed: Error, CustomStringConvertible {
            var description: String { "no mailbox for +4930123456789" }
        }
        logger.warning(
            "call from +4915112345678 could not be routed",
            metadata: [
                "from": "\"Erika Musterfrau\" <sip:+4915112345678@trunk.example.de>",
                "contact": .dictionary(["email": "erika@example.org"]),
                "numbers": .array(["+4930123456789", "mailbox 100"]),
            ]
        )
        logger.error("routing failed", error: LookupFailed())

        let events = recorder.events.withLock { $0 }
        #expect(events.count == 2)
        let first = try #require(events.first)
        #expect(first.message.description == "call from *** could not be routed")
        let metadata = try #require(first.metadata)
        #expect(metadata["from"] == .string(#""***" <sip:***@trunk.example.de>"#))
        #expect(metadata["peer"] == .string("sip:***@atlanta.example.com"))
        #expect(metadata["contact"] == .dictionary(["email": .string("***@example.org")]))
        #expect(metadata["numbers"] == .array([.string("***"), .string("mailbox 100")]))

        let second = try #require(events.last)
        #expect(second.error == nil)
        #expect(second.metadata?["error.message"] == .string("no mailbox for ***"))
    }

    @Test("numeric metadata and Call-IDs keep their values")
    func numbersAndIdentifiersKept() throws {
        let recorder = LogRecorder()
        let logger = logger(recorder)
        logger.info(
            "recording stored",
            metadata: [
                "bytes": .stringConvertible(123_456_789),
                "call_id": "a84b4c76e66710@pc33.atlanta.example.com",
                "duration_s": .stringConvertible(93.5),
            ]
        )
        let metadata = try #require(recorder.events.withLock { $0.first?.metadata })
        #expect(metadata["bytes"]?.description == "123456789")
        #expect(metadata["call_id"] == .string("a84b4c76e66710@pc33.atlanta.example.com"))
        #expect(metadata["duration_s"]?.description == "93.5")
    }

    @Test("the log level is the wrapped handler's and is honoured")
    func levelHonoured() {
        let recorder = LogRecorder()
        var logger = logger(recorder)
        logger.logLevel = .warning
        logger.info("not written")
        logger.warning("written")
        #expect(recorder.events.withLock { $0.map(\.message.description) } == ["written"])
    }
}
