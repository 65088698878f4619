import HushboxTestSupport
import SIPCore
import Testing
@testable import SIPStack

/// The RTP port pool as a pure value with a seeded generator: where a call's
/// media will be is not guessable from the last call's.
@Suite("Media port pool: random even ports, never one in use")
struct MediaPortPoolTests {
    @Test("Successive calls get even ports from the range at random, not in order, and never the same one twice")
    func randomOrder() {
        var pool = MediaPortPool(range: 20_000...20_999)
        var random = SeededGenerator(seed: 18)
        let ports = (0..<50).compactMap { _ in pool.take(using: &random) }
        #expect(ports.count == 50)
        #expect(ports.allSatisfy { $0 % 2 == 0 && (20_000...20_998).contains($0) })
        #expect(Set(ports).count == 50, "no port is handed out twice while in use")
        let steps = zip(ports, ports.dropFirst()).filter { $1 - $0 == 2 }.count
        #expect(steps <= 2, "in order from the bottom every step would be +2; at random from 500 ports almost none is (\(steps) were)")
        #expect(ports.first != 20_000)
    }

    @Test("The same seed draws the same ports: a failing run repeats")
    func deterministic() {
        var first = MediaPortPool(range: 20_000...29_999)
        var second = first
        var one = SeededGenerator(seed: 4475)
        var other = SeededGenerator(seed: 4475)
        let a = (0..<20).compactMap { _ in first.take(using: &one) }
        let b = (0..<20).compactMap { _ in second.take(using: &other) }
        #expect(a == b)
    }

    @Test("A full pool says so; a released port can be taken again; a port not handed out is not taken back")
    func exhaustionAndRelease() {
        // 20000–20009: even ports 20000 to 20008 (20009 stays free for RTCP of 20008).
        var pool = MediaPortPool(range: 20_000...20_009)
        var random = SeededGenerator(seed: 7)
        let ports = (0..<5).compactMap { _ in pool.take(using: &random) }
        #expect(Set(ports) == [20_000, 20_002, 20_004, 20_006, 20_008])
        let sixth = pool.take(using: &random)
        #expect(sixth == nil, "all five in use")
        #expect(pool.available == 0)

        pool.give(ports[2])
        pool.give(ports[2])
        pool.give(20_001)
        #expect(pool.available == 1, "a double release or a foreign port does not create a second free port")
        let again = pool.take(using: &random)
        let none = pool.take(using: &random)
        #expect(again == ports[2])
        #expect(none == nil)
    }

    @Test("Taking every port of a large range costs one draw each: all distinct, then none")
    func drainLargeRange() {
        var pool = MediaPortPool(range: 10_000...59_999)
        var random = SeededGenerator(seed: 99)
        var seen = Set<Int>()
        var repeated = 0
        while let port = pool.take(using: &random) {
            if !seen.insert(port).inserted { repeated += 1 }
        }
        #expect(repeated == 0)
        #expect(seen.count == 25_000)
    }

    @Test("A released port rests before it is drawn again, while other ports are free")
    func releasedPortRests() throws {
        var pool = MediaPortPool(range: 20_000...20_199)
        var random = SeededGenerator(seed: 3)
        let taken = pool.take(using: &random)
        let port = try #require(taken)
        pool.give(port)
        var drawn: [Int] = []
        for _ in 0..<30 {
            if let next = pool.take(using: &random) { drawn.append(next) }
        }
        #expect(drawn.count == 30)
        #expect(!drawn.contains(port), "the port just released is not handed to the next calls")
    }

    @Test("Through the signalling core: two calls in a row do not get neighbouring ports, drawn from the core's generator")
    func coreDrawsAtRandom() throws {
        var harness = CoreHarness { $0.mediaPorts = 20_000...29_999 }
        var ports: [Int] = []
        for index in 0..<4 {
            var caller = TestCaller()
            caller.callID = "port-test-\(index)"
            caller.fromTag = "tag-\(index)"
            caller.branchCounter = index * 10
            let call = try #require(harness.receive(caller.request(.invite, branch: caller.nextBranch(), cseq: 1, body: TestCaller.srtpOffer), from: caller).incomingCall)
            ports.append(call.localRTPPort)
        }
        #expect(Set(ports).count == 4)
        #expect(ports.allSatisfy { $0 % 2 == 0 && (20_000...29_998).contains($0) })
        #expect(ports != [20_000, 20_002, 20_004, 20_006], "handed out in order from the bottom of the range")
        #expect(zip(ports, ports.dropFirst()).allSatisfy { abs($1 - $0) > 2 })
    }
}
