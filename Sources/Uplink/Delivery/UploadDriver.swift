/// Carries one object's ``UploadSession`` through a client until the receiver
/// has it or a person must look: waits between attempts by the
/// ``RetrySchedule`` on an injected clock, so tests can run days of outage
/// without sleeping.
public enum UploadDriver {
    public enum Outcome: Sendable, Hashable {
        case delivered(attempts: Int)
        case needsAttention(String)
        /// Stopped (the task was cancelled) before either; the entry stays queued.
        case interrupted
    }

    /// Something that answers requests: ``UplinkClient``, or a scripted receiver in tests.
    public typealias Perform = @Sendable (UploadSession.Request, UploadSession) async -> UploadSession.Answer

    public static func deliver<C: Clock>(
        _ session: inout UploadSession, perform: Perform, schedule: RetrySchedule, clock: C,
        generator: inout some RandomNumberGenerator, onRetry: (UploadSession.RetryReason, Duration) -> Void = { _, _ in }
    ) async -> Outcome where C.Duration == Duration {
        var failures = 0
        var attempts = 1
        var next = session.resume()
        while !Task.isCancelled {
            switch next {
            case .delivered:
                return .delivered(attempts: attempts)
            case .needsAttention(let why):
                return .needsAttention(why)
            case .request(let request):
                let answer = await perform(request, session)
                let read = session.read(answer, to: request)
                if case .request = read { failures = 0 }
                next = read
            case .retry(let after, let reason):
                failures += 1
                let wait = schedule.delay(afterFailures: failures, retryAfter: after, using: &generator)
                onRetry(reason, wait)
                do { try await clock.sleep(for: wait) } catch { return .interrupted }
                attempts += 1
                next = session.resume()
            }
        }
        return .interrupted
    }
}
