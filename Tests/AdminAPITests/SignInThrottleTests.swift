import AdminAPI
import Foundation
import Testing

@Suite("Sign-in back-off")
struct SignInThrottleTests {
    let start = Date(timeIntervalSince1970: 1_796_000_000)

    @Test("five failures for an account from one address are free; then each waits twice as long, up to 15 minutes; success clears the account")
    func backOff() {
        var throttle = SignInThrottle()
        let (account, source) = ("a@b.example", "192.0.2.7")
        for _ in 0..<4 { #expect(throttle.recordFailure(account: account, source: source, at: start) == nil) }
        #expect(throttle.recordFailure(account: account, source: source, at: start) == start.addingTimeInterval(30))
        #expect(throttle.lockedUntil(account: account, source: source, at: start.addingTimeInterval(29)) == start.addingTimeInterval(30))
        #expect(throttle.lockedUntil(account: "c@b.example", source: source, at: start) == nil, "another account from the same office may still try")
        #expect(throttle.lockedUntil(account: account, source: "198.51.100.1", at: start) == nil, "the account's owner elsewhere is not locked out")
        #expect(throttle.lockedUntil(account: account, source: source, at: start.addingTimeInterval(30)) == nil)
        #expect(throttle.recordFailure(account: account, source: source, at: start.addingTimeInterval(30)) == start.addingTimeInterval(90))
        var at = start.addingTimeInterval(90)
        for _ in 0..<10 { at = throttle.recordFailure(account: account, source: source, at: at) ?? at }
        #expect(throttle.recordFailure(account: account, source: source, at: at) == at.addingTimeInterval(15 * 60))
        throttle.succeeded(account: account, source: "198.51.100.1", at: at)
        #expect(throttle.lockedUntil(account: account, source: "198.51.100.1", at: at) == nil)
        #expect(throttle.lockedUntil(account: account, source: source, at: at) != nil, "the guesser's own address still waits")
    }

    @Test("a guesser spread over many addresses locks the account after 50 failures, but not for an address that signed in to it before")
    func distributed() {
        var throttle = SignInThrottle()
        let account = "owner@praxis.example"
        #expect(throttle.begin(account: account, source: "192.0.2.10", at: start) == nil)
        throttle.succeeded(account: account, source: "192.0.2.10", at: start)
        for index in 0..<50 { throttle.recordFailure(account: account, source: "203.0.113.\(index)", at: start) }
        #expect(throttle.lockedUntil(account: account, source: "198.51.100.77", at: start) != nil, "a new address waits")
        #expect(throttle.lockedUntil(account: account, source: "192.0.2.10", at: start) == nil, "the owner's own address does not")
    }

    @Test("begin counts the attempt before the password is checked: parallel attempts cannot all pass one check")
    func parallel() {
        var throttle = SignInThrottle()
        var admitted = 0
        for _ in 0..<24 where throttle.begin(account: "a@b.example", source: "192.0.2.7", at: start) == nil { admitted += 1 }
        #expect(admitted == 5)
    }

    @Test("failures are forgotten a day later; a flood of made-up accounts keeps memory bounded and never unlocks a waiting one")
    func bounded() {
        var policy = SignInThrottle.Policy()
        policy.capacity = 100
        var throttle = SignInThrottle(policy: policy)
        for _ in 0..<5 { throttle.recordFailure(account: "x", source: "s", at: start) }
        #expect(throttle.lockedUntil(account: "x", source: "s", at: start) != nil)
        for index in 0..<2_000 {
            throttle.recordFailure(account: "\(index)@flood.example", source: "t\(index)", at: start.addingTimeInterval(Double(index) / 100))
        }
        #expect(throttle.count <= 200)
        #expect(throttle.lockedUntil(account: "x", source: "s", at: start.addingTimeInterval(20)) != nil, "the locked pair survived the flood")
        #expect(throttle.recordFailure(account: "x", source: "s", at: start.addingTimeInterval(86_401)) == nil, "a day later it starts again from one")
    }
}
