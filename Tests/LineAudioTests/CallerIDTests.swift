import CSpanDSP
import HushboxTestSupport
import LineAudio
import Testing

/// Caller ID as an exchange sends it (spandsp's transmitter), heard by the box's receivers.
@Suite("Caller ID")
struct CallerIDTests {
    static func heard(_ audio: [Int16], standards: [CallerIDStandard] = CallerIDStandard.allCases) -> [CallerID] {
        let receiver = CallerIDReceiver(standards: standards)
        var callers: [CallerID] = []
        for start in stride(from: 0, to: audio.count, by: 160) {
            callers += receiver.process(Array(audio[start..<min(start + 160, audio.count)]))
        }
        return callers
    }

    @Test("each standard's message is heard, by the receivers of every standard at once", arguments: [
        (Int32(ADSI_STANDARD_CLASS), "2125550147"), (Int32(ADSI_STANDARD_CLIP), "030111222"), (Int32(ADSI_STANDARD_CLIP_DTMF), "0612345678"),
    ])
    func standards(standard: Int32, number: String) {
        let audio = LineSignals.silence(seconds: 0.3) + LineSignals.callerID(number, standard: standard) + LineSignals.silence(seconds: 0.5)
        #expect(Self.heard(audio) == [.number(number)])
    }

    @Test("a caller ID in noise 20 dB below it is still heard")
    func inNoise() {
        let audio = LineSignals.silence(seconds: 0.3) + LineSignals.callerID("030111222", standard: Int32(ADSI_STANDARD_CLIP)) + LineSignals.silence(seconds: 0.5)
        #expect(Self.heard(LineSignals.withNoise(audio, snrDB: 20, seed: 3)) == [.number("030111222")])
    }

    @Test("withheld and unavailable callers, single and multiple data messages")
    func absence() {
        // CLASS SDMF: type 4, length, MMDDHHMM, then P.
        #expect(CallerIDMessage.caller(in: [0x04, 9] + Array("12061030P".utf8), standard: .bell202) == .withheld)
        #expect(CallerIDMessage.caller(in: [0x04, 9] + Array("12061030O".utf8), standard: .bell202) == .unavailable)
        #expect(CallerIDMessage.caller(in: [0x04, 18] + Array("120610302125550147".utf8), standard: .bell202) == .number("2125550147"))
        // ETSI MDMF: absence reason parameter 4.
        #expect(CallerIDMessage.caller(in: [0x80, 3, 0x04, 1, UInt8(ascii: "P")], standard: .v23) == .withheld)
        #expect(CallerIDMessage.caller(in: Array("B10C".utf8), standard: .dtmf) == .withheld)
        #expect(CallerIDMessage.caller(in: Array("B00C".utf8), standard: .dtmf) == .unavailable)
    }

    @Test("a message from the wire is read within its bounds: lengths past the end, long numbers and non-digits give nothing")
    func hostileMessages() {
        #expect(CallerIDMessage.caller(in: [], standard: .v23) == nil)
        #expect(CallerIDMessage.caller(in: [0x80, 200, 0x02, 3] + Array("123".utf8), standard: .v23) == nil, "length past the end")
        #expect(CallerIDMessage.caller(in: [0x80, 5, 0x02, 90] + Array("123".utf8), standard: .v23) == nil, "parameter past the end")
        let long = Array(String(repeating: "1", count: 21).utf8)
        #expect(CallerIDMessage.caller(in: [0x80, UInt8(long.count + 2), 0x02, UInt8(long.count)] + long, standard: .v23) == nil, "21 digits")
        #expect(CallerIDMessage.caller(in: [0x80, 5, 0x02, 3] + Array("1;2".utf8), standard: .v23) == nil, "not digits")
        #expect(CallerIDMessage.caller(in: Array("A12{34C".utf8), standard: .dtmf) == nil)
        #expect(CallerIDMessage.caller(in: [0x42, 0], standard: .bell202) == nil, "unknown type")
    }
}
