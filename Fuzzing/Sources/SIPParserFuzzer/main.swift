import FuzzerDriver
import SIPCore

/// libFuzzer's entry point: every input must parse to a value or fail with a
/// typed error, and whatever parses must survive validation, SDP parsing and
/// serialisation; a crash, a hang or an address-sanitizer report is a bug.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSIPParser(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    let parser = SIPParser()
    _ = try? parser.frameLength(in: bytes)
    do {
        let message = try parser.parse(datagram: bytes)
        if case .request(let request) = message {
            _ = SIPRequestValidator().validate(request)
            if let description = try? SDPParser.parse(request.body) {
                _ = description.serialized
                _ = AudioOfferAnswer.answer(
                    description, policy: AudioAnswerPolicy(), local: LocalMedia(address: "192.0.2.1", rtpPort: 20_000, sessionID: "1"),
                    keyMaterial: { Array(repeating: 7, count: $0) }
                )
            }
            _ = request.serialized
        } else if case .response(let response) = message {
            _ = SIPResponseValidator.problem(with: response)
            _ = response.serialized
        }
    } catch {
        _ = SIPResponseBuilder.response(to: error.salvagedHeaders, statusCode: error.suggestedStatus).serialized
    }
    return 0
}

/// SwiftPM names this executable's entry point `SIPParserFuzzer_main`.
@_cdecl("SIPParserFuzzer_main")
public func fuzzerEntryPoint(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc: argc, argv: argv) { fuzzSIPParser($0, $1) }
}
