/// Mangles message bytes deterministically: flipped bytes, deletions, spliced
/// separators and CRLFs, truncations, duplicated runs. Shared by the parser's
/// and the running stack's mutation tests so both see the same kinds of damage.
public struct MessageMutator {
    private var generator: SeededGenerator
    private let seeds: [[UInt8]]
    private static let interesting: [[UInt8]] = [
        [13, 10], [13, 10, 32], [0], Array(";".utf8), Array(",".utf8), Array("\"".utf8), Array("<".utf8),
        Array(":".utf8), Array("%".utf8), Array("[".utf8), [0xFF],
    ]

    public init(seeds: [[UInt8]], seed: UInt64) {
        precondition(!seeds.isEmpty, "the mutator needs at least one message to mangle")
        self.seeds = seeds
        generator = SeededGenerator(seed: seed)
    }

    /// One to four mutations of a randomly chosen seed message.
    public mutating func next() -> [UInt8] {
        var bytes = seeds[Int(generator.next() % UInt64(seeds.count))]
        for _ in 0..<(1 + Int(generator.next() % 4)) where !bytes.isEmpty {
            let position = Int(generator.next() % UInt64(bytes.count))
            switch generator.next() % 6 {
            case 0: bytes[position] ^= UInt8(truncatingIfNeeded: generator.next() | 1)
            case 1: bytes.remove(at: position)
            case 2: bytes.insert(contentsOf: Self.interesting[Int(generator.next() % UInt64(Self.interesting.count))], at: position)
            case 3: bytes.removeSubrange(position...)
            case 4: bytes.insert(contentsOf: bytes[position..<min(bytes.count, position + 40)], at: position)
            default: bytes[position] = UInt8(ascii: " ")
            }
        }
        return bytes
    }
}
