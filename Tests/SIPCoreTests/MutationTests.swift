import Foundation
import HushboxTestSupport
import SIPCore
import Testing

/// Mangled messages, deterministically: every RFC 4475 message mutated by a
/// seeded generator (flipped bytes, deletions, duplications, truncations,
/// spliced CRLFs and separators). The parser, validator and SDP parser must
/// answer each with a value or a typed error: never crash, never hang.
@Suite("Mutation robustness")
struct MutationTests {
    @Test("30,000 mangled messages parse or fail with a typed error")
    func mangledMessages() throws {
        let seeds = try TortureTests.cases.map { try TortureTests.bytes($0.file) }
        var mutator = MessageMutator(seeds: seeds, seed: 0x4855_5348_424F_58)
        let parser = SIPParser()
        let validator = SIPRequestValidator()
        var parsed = 0
        var refused = 0
        for _ in 0..<30_000 {
            let bytes = mutator.next()
            do {
                let message = try parser.parse(datagram: bytes)
                parsed += 1
                if case .request(let request) = message {
                    _ = validator.validate(request)
                    _ = try? SDPParser.parse(request.body)
                    _ = request.serialized
                }
            } catch {
                refused += 1
                _ = SIPResponseBuilder.response(to: error.salvagedHeaders, statusCode: error.suggestedStatus).serialized
            }
        }
        #expect(parsed + refused == 30_000)
        // The mutations must exercise both outcomes, or the test proves little.
        #expect(parsed > 1_000)
        #expect(refused > 1_000)
    }
}
