import AdminAPI
import Foundation
import Testing

@Suite("Sign-in back-off")
struct SignInThrottleTests {
    let start = Date(timeIntervalSince1970: 1_796_000_000)

    @Test("five failures for an account (twenty from one address) are free; then each waits twice as long, up to 15 minutes; success clears the account")
    func backOff() {
        var throttle = SignInThrottle()
        let (account, source) = ("a@b.example", "192.0.2.7")
        for _ in 0..<4 { #expect(throttle.recordFailure(account: account, source: source, at: start) == nil) }
        #expect(throttle.recordFailure(account: account, source: source, at: start) == start.addingTimeInterval(30))
        #expect(throttle.lockedUntil(account: account, source: "198.51.100.1", at: start.addingTimeInterval(29)) == start.addingTimeInterval(30))
        #expect(throttle.lockedUntil(account: "c@b.example", source: source, at: start) == nil, "another account from the same office may still try")
        #expect(throttle.lockedUntil(account: account, source: source, at: start.addingTimeInterval(30)) == nil)
        #expect(throttle.recordFailure(account: account, source: source, at: start.addingTimeInterval(30)) == start.addingTimeInterval(90))
        var at = start.addingTimeInterval(90)
        for _ in 0..<20 { at = throttle.recordFailure(account: account, source: source, at: at) ?? at }
        let last = throttle.recordFailure(account: account, source: source, at: at)
        #expect(last == at.addingTimeInterval(15 * 60))
        throttle.recordSuccess(account: account)
        #expect(throttle.lockedUntil(account: account, source: "198.51.100.1", at: at) == nil)
        #expect(throttle.lockedUntil(account: account, source: source, at: at) != nil, "the source's failures stay")
    }

    @Test("failures are forgotten a day later, and a flood of made-up accounts keeps at most `capacity` records")
    func bounded() {
        var policy = SignInThrottle.Policy()
        policy.capacity = 100
        var throttle = SignInThrottle(policy: policy)
        for index in 0..<5 { throttle.recordFailure(account: "x", source: "s\(index)", at: start) }
        #expect(throttle.recordFailure(account: "x", source: "t", at: start.addingTimeInterval(86_401)) == nil, "a day later it starts again from one")
        for index in 0..<10_000 { throttle.recordFailure(account: "\(index)@flood.example", source: "s\(index)", at: start.addingTimeInterval(Double(index))) }
        #expect(throttle.count <= 100)
    }
}
