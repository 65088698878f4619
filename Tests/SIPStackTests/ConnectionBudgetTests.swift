import NetworkLimits
import Testing

@Suite("Connection budget: what counts as one address")
struct ConnectionBudgetTests {
    @Test("An IPv6 host's share is its /64: a new address from the same /64 for each connection gets no more; another /64 is another source")
    func ipv6CountsBySlash64() {
        let budget = ConnectionBudget(limits: .init(total: 16, perSource: 2))
        #expect(budget.take("2001:db8:1:2::1"))
        #expect(budget.take("2001:db8:1:2:ffff:ffff:ffff:fffe"))
        #expect(!budget.take("2001:db8:1:2:abcd::9"), "a third address from the same /64")
        #expect(budget.take("2001:db8:1:3::1"), "the next /64 is another source")
        budget.give("2001:0db8:0001:0002:0000:0000:0000:0001")
        #expect(budget.take("2001:db8:1:2::77"), "a place given back in any spelling of the /64 frees it")
        #expect(budget.snapshot == (open: 3, refused: 1))
    }

    @Test("IPv4 counts by address; an IPv4-mapped or NAT64 address is the IPv4 address it carries; what is not an address is its own source")
    func ipv4AndOddities() {
        let budget = ConnectionBudget(limits: .init(total: 16, perSource: 1))
        #expect(budget.take("192.0.2.1"))
        #expect(!budget.take("::ffff:192.0.2.1"))
        #expect(budget.take("192.0.2.2"))
        #expect(budget.take("unknown"))
        #expect(!budget.take("unknown"))
        #expect(SourceKey.of("64:ff9b::c000:202") == "192.0.2.2", "through NAT64, the IPv4 client it carries")
        #expect(SourceKey.of("fe80::1%eth0") == "fe80:0:0:0::/64")
        #expect(SourceKey.of("not:an:address") == "not:an:address")
    }
}
