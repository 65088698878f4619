import Testing

/// The admin API's suites that build a vault each: run one after another, so
/// that together they weigh on a 2-core machine as one test does, not six.
@Suite("Admin API", .serialized)
struct AdminAPISuite {}
