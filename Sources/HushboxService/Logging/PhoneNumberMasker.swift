/// Finds telephone numbers in free text and masks them.
///
/// A number is a run of digits, optionally starting with `+`, that may be split by
/// spaces, hyphens, slashes and parentheses as people write them: `+49 30 1234567`,
/// `+49 (0)30 1234567`, `030/1234567`, `015112345678`. To keep ids, sizes, dates,
/// times and addresses readable, a run counts only when:
/// - it is not glued to letters, digits, `_`, `-` or (before it) `.` (UUIDs, hex
///   ids, versions and IPv4 addresses stay intact);
/// - it has at least 7 digits when written the way numbers are dialled (starting
///   with `+`, `(`, a trunk prefix `0` and an area code, or an international
///   prefix `00` and a country code), else at least 11 digits: E.164 without its
///   `+`, but longer than the 32-bit values (SSRCs, RTP timestamps, SIP tags,
///   Unix times) that logs legitimately carry;
/// - spaces join groups only in runs that start the dialled way, so a list of
///   sizes such as `1024 2048 4096` is not taken for one number.
enum PhoneNumberMasker {
    static func mask(_ text: String, with mask: String) -> String {
        let bytes = Array(text.utf8)
        guard bytes.contains(where: isDigit) else { return text }
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = 0
        var changed = false
        while index < bytes.count {
            if let end = numberEnd(in: bytes, startingAt: index) {
                output.append(contentsOf: mask.utf8)
                index = end
                changed = true
            } else {
                output.append(bytes[index])
                index += 1
            }
        }
        return changed ? String(decoding: output, as: UTF8.self) : text
    }

    /// The end of a telephone number starting at `start`, or nil if none starts there.
    private static func numberEnd(in bytes: [UInt8], startingAt start: Int) -> Int? {
        let first = bytes[start]
        guard isDigit(first) || first == UInt8(ascii: "+") || first == UInt8(ascii: "(") else { return nil }
        if start > 0, isGlue(bytes[start - 1]) { return nil }
        let dialled = first == UInt8(ascii: "+") || first == UInt8(ascii: "(") || hasDiallingPrefix(bytes, at: start)
        var index = start
        if first == UInt8(ascii: "+") {
            index += 1
            guard index < bytes.count, isDigit(bytes[index]) || bytes[index] == UInt8(ascii: "(") else { return nil }
        }
        var digits = 0
        var lastDigitEnd: Int?
        while index < bytes.count {
            let byte = bytes[index]
            if isDigit(byte) {
                digits += 1
                index += 1
                lastDigitEnd = index
            } else if isSeparator(byte, dialled: dialled), continuesAfterSeparator(bytes, at: index, dialled: dialled) {
                index += 1
            } else {
                break
            }
        }
        guard let end = lastDigitEnd else { return nil }
        // A full stop may end a sentence after a number; any other glue makes it part of a token.
        if end < bytes.count, isGlue(bytes[end]), bytes[end] != UInt8(ascii: ".") { return nil }
        if isDate(bytes[start..<end]) { return nil }
        let needed = dialled ? 7 : 11
        return digits >= needed ? end : nil
    }

    /// `0` then an area code digit (`030`), or `00` then a country code digit
    /// (`0049`); zero padding such as `0000000123` is neither.
    private static func hasDiallingPrefix(_ bytes: [UInt8], at start: Int) -> Bool {
        func digit(_ offset: Int) -> UInt8? {
            start + offset < bytes.count && isDigit(bytes[start + offset]) ? bytes[start + offset] : nil
        }
        guard digit(0) == UInt8(ascii: "0"), let second = digit(1) else { return false }
        if second != UInt8(ascii: "0") { return true }
        guard let third = digit(2) else { return false }
        return third != UInt8(ascii: "0")
    }

    /// A separator belongs to the number only if a digit follows within two
    /// characters, as in ") 123" or " (0)30".
    private static func continuesAfterSeparator(_ bytes: [UInt8], at index: Int, dialled: Bool) -> Bool {
        for lookahead in (index + 1)..<min(index + 3, bytes.count) {
            let byte = bytes[lookahead]
            if isDigit(byte) { return true }
            if !isSeparator(byte, dialled: dialled) { return false }
        }
        return false
    }

    /// `2026-11-23`: four digits, hyphen, two, hyphen, two.
    private static func isDate(_ span: ArraySlice<UInt8>) -> Bool {
        let shape = span.map { isDigit($0) ? UInt8(ascii: "9") : $0 }
        return shape.starts(with: Array("9999-99-99".utf8))
    }

    private static func isDigit(_ byte: UInt8) -> Bool { (0x30...0x39).contains(byte) }

    private static func isLetter(_ byte: UInt8) -> Bool {
        (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || byte >= 0x80
    }

    /// Characters that, touching a digit run, make it part of a larger token.
    private static func isGlue(_ byte: UInt8) -> Bool {
        isLetter(byte) || isDigit(byte) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
    }

    private static func isSeparator(_ byte: UInt8, dialled: Bool) -> Bool {
        switch byte {
        case UInt8(ascii: "-"), UInt8(ascii: "/"), UInt8(ascii: "("), UInt8(ascii: ")"): true
        case UInt8(ascii: " "): dialled
        default: false
        }
    }
}
