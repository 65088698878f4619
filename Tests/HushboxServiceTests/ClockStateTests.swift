import Foundation
@testable import HushboxService
import Testing

@Suite("The selftest's clock check")
struct ClockStateTests {
    @Test("a board without a real-time clock, back in 1970, fails however the kernel reads its state; an unsynchronised clock says so")
    func readings() {
        let synchronised = ClockState(synchronised: true, estimatedError: 1200)
        let bootedWithoutRTC = Date(timeIntervalSince1970: 86_400)
        #expect(!synchronised.plausible(bootedWithoutRTC))
        #expect(synchronised.description(bootedWithoutRTC) == "reads 1970-01-02T00:00:00Z, before this software was built")
        let today = Date(timeIntervalSince1970: 1_796_547_508)
        #expect(synchronised.plausible(today))
        #expect(synchronised.description(today).hasPrefix("synchronised (estimated error 1200 µs)"))
        #expect(ClockState(synchronised: false, estimatedError: 0).description(today).hasPrefix("not synchronised"))
    }
}
