import Foundation
import HushboxTestSupport
import Testing
import Uplink

@Suite("Retry schedule, Retry-After and residency")
struct DeliveryScheduleTests {
    @Test("Waits double from 5 s up to 30 min, each between half and all of its ceiling")
    func backoff() {
        var generator = SeededGenerator(seed: 7)
        let schedule = RetrySchedule()
        for failures in 1...20 {
            let ceiling = min(Duration.seconds(1800), .seconds(5) * (1 << (failures - 1)))
            for _ in 0..<50 {
                let wait = schedule.delay(afterFailures: failures, using: &generator)
                #expect(wait >= ceiling / 2 && wait <= ceiling, "after \(failures) failures: \(wait)")
            }
        }
        let waits = (0..<200).map { _ in schedule.delay(afterFailures: 6, using: &generator) }
        #expect(Set(waits).count > 150, "jittered: boxes back from an outage do not retry in step")
    }

    @Test("Retry-After is a floor, bounded at 6 h")
    func retryAfterFloor() {
        var generator = SeededGenerator(seed: 1)
        let schedule = RetrySchedule()
        #expect(schedule.delay(afterFailures: 1, retryAfter: .seconds(120), using: &generator) == .seconds(120))
        #expect(schedule.delay(afterFailures: 1, retryAfter: .seconds(1), using: &generator) >= .milliseconds(2500))
        #expect(schedule.delay(afterFailures: 1, retryAfter: .seconds(86_400 * 30), using: &generator) == .seconds(6 * 3600))
    }

    @Test("Retry-After is read as seconds or as an HTTP date; anything else is ignored")
    func retryAfterParsing() {
        let now = Date(timeIntervalSince1970: 784_111_777)  // Sun, 06 Nov 1994 08:49:37 GMT
        #expect(RetryAfter.parse("120", now: now) == .seconds(120))
        #expect(RetryAfter.parse("Sun, 06 Nov 1994 08:51:37 GMT", now: now) == .seconds(120))
        #expect(RetryAfter.parse("Sun, 06 Nov 1994 08:00:00 GMT", now: now) == .zero, "a date in the past: no wait")
        #expect(RetryAfter.parse("soon", now: now) == nil)
        #expect(RetryAfter.parse("-5", now: now) == nil)
    }

    @Test("With residency eu, EU/EEA destinations pass and others are refused by name")
    func residency() throws {
        for code in ["DE", "ie", "NO", "IS", "LI", "EL"] {
            #expect(ResidencyPolicy.eu.refusal(of: "backend", in: try DataRegion(code)) == nil, "\(code)")
        }
        for code in ["US", "GB", "CH", "SG"] {
            let refusal = try #require(ResidencyPolicy.eu.refusal(of: "analytics", in: try DataRegion(code)))
            #expect(refusal.contains("analytics") && refusal.contains(code) && refusal.contains("outside the EU/EEA"))
            #expect(ResidencyPolicy.any.refusal(of: "analytics", in: try DataRegion(code)) == nil)
        }
        #expect(throws: DataRegionError.self) { try DataRegion("Germany") }
    }
}
