import Testing

/// The suites that run hushboxd with real callers (baresip, SIPp) and time
/// what they say against the prompts: one at a time, so that on two cores no
/// caller's timing depends on another suite's load.
@Suite("Daemons with real callers", .serialized)
enum CallingTests {}
