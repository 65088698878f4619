import AdminAPI
import Testing

@Suite("Range headers")
struct ByteRangeTests {
    @Test("a single range is served as asked, clamped to the body; Safari's bytes=0-1 probe gets two bytes")
    func single() {
        #expect(ByteRange(header: "bytes=0-1", length: 1000) == .partial(lower: 0, upper: 1))
        #expect(ByteRange(header: "bytes=100-", length: 1000) == .partial(lower: 100, upper: 999))
        #expect(ByteRange(header: "bytes=-300", length: 1000) == .partial(lower: 700, upper: 999))
        #expect(ByteRange(header: "bytes=-5000", length: 1000) == .partial(lower: 0, upper: 999))
        #expect(ByteRange(header: "bytes=990-5000", length: 1000) == .partial(lower: 990, upper: 999))
        #expect(ByteRange(header: " BYTES=5-9 ", length: 1000) == .partial(lower: 5, upper: 9))
    }

    @Test("a range that starts at or past the end, or an empty suffix, is unsatisfiable (416)")
    func unsatisfiable() {
        #expect(ByteRange(header: "bytes=1000-", length: 1000) == .unsatisfiable)
        #expect(ByteRange(header: "bytes=5000-6000", length: 1000) == .unsatisfiable)
        #expect(ByteRange(header: "bytes=-0", length: 1000) == .unsatisfiable)
        #expect(ByteRange(header: "bytes=0-10", length: 0) == .unsatisfiable)
    }

    @Test("no header, several ranges, other units, reversed, negative, overflowing or over-long headers get the whole body (200)")
    func whole() {
        for header in [
            nil, "bytes=0-1,5-9", "items=0-1", "bytes=9-5", "bytes=-", "bytes=a-b", "bytes=--5", "bytes=+1-5",
            "bytes=0-99999999999999999999", "bytes=0-" + String(repeating: "9", count: 300), "bytes=\u{0}0-1", "",
        ] {
            #expect(ByteRange(header: header, length: 1000) == .whole, "\(header ?? "nil")")
        }
    }
}
