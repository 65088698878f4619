/// Where a recording's bytes go as they are produced. The voicemail flow
/// adapts the vault's sealed-object writer to it, so audio is sealed and on
/// disk chunk by chunk and never held whole in memory.
public protocol RecordingSink {
    mutating func write(_ bytes: [UInt8]) throws
}
