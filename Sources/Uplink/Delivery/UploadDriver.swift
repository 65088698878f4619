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

    /// How one attempt ended: the worker records it and, for a retry, when to try next.
    public enum AttemptResult: Sendable, Hashable {
        case delivered
        case needsAttention(String, status: Int?)
        case retry(after: Duration?, because: UploadSession.RetryReason, status: Int?)
    }

    /// One attempt: requests until the object is delivered, needs a person, or must wait.
    public static func attempt(_ session: inout UploadSession, perform: Perform) async -> AttemptResult {
        var next = session.resume()
        var status: Int?
        while true {
            switch next {
            case .delivered:
                return .delivered
            case .needsAttention(let why):
                return .needsAttention(why, status: status)
            case .retry(let after, let reason):
                return .retry(after: after, because: reason, status: status)
            case .request(let request):
                let answer = await perform(request, session)
                if case .response(let response) = answer { status = response.status } else { status = nil }
                next = session.read(answer, to: request)
            }
        }
    }

    /// Attempts until delivered or a person must look, waiting between attempts
    /// by `schedule` on `clock`: what the worker does across its queue, for one object.
    public static func deliver<C: Clock>(
        _ session: inout UploadSession, perform: Perform, schedule: RetrySchedule, clock: C,
        generator: inout some RandomNumberGenerator, onRetry: (UploadSession.RetryReason, Duration) -> Void = { _, _ in }
    ) async -> Outcome where C.Duration == Duration {
        var failures = 0
        while !Task.isCancelled {
            switch await attempt(&session, perform: perform) {
            case .delivered:
                return .delivered(attempts: failures + 1)
            case .needsAttention(let why, _):
                return .needsAttention(why)
            case .retry(let after, let reason, _):
                failures += 1
                let wait = schedule.delay(afterFailures: failures, retryAfter: after, using: &generator)
                onRetry(reason, wait)
                do { try await clock.sleep(for: wait) } catch { return .interrupted }
            }
        }
        return .interrupted
    }
}
