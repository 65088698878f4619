internal import Configuration
internal import NIOCore
internal import SIPCore
internal import SIPStack
internal import Uplink
import Foundation

/// Reads settings through swift-configuration's provider chain and validates each
/// value against its setting's kind, turning every failure into a
/// ``ConfigurationError`` that names the key, the value and what is allowed.
struct SettingsReader {
    private let reader: ConfigReader
    private let sourceOf: (ConfigurationSetting) -> ValueSource
    /// Every setting read so far with its effective value, for `hushbox config check`.
    private(set) var effective: [EffectiveSetting] = []

    init(reader: ConfigReader, sourceOf: @escaping (ConfigurationSetting) -> ValueSource) {
        self.reader = reader
        self.sourceOf = sourceOf
    }

    mutating func text(_ setting: ConfigurationSetting) throws(ConfigurationError) -> String {
        let raw: String
        do {
            raw = try reader.requiredString(forKey: ConfigKey(setting.key))
        } catch {
            throw .invalidValue(setting, value: nil, from: sourceOf(setting), problem: "is not a single value")
        }
        let value = try validated(raw, for: setting)
        record(setting, "\"\(value)\"")
        return value
    }

    /// A text setting whose default is derived from other settings: nil when
    /// neither the file nor the environment sets it.
    mutating func optionalText(_ setting: ConfigurationSetting) throws(ConfigurationError) -> String? {
        let source = sourceOf(setting)
        guard let raw = reader.string(forKey: ConfigKey(setting.key)) else {
            if source == .defaultValue { return nil }
            throw .invalidValue(setting, value: nil, from: source, problem: "is not a single value")
        }
        let value = try validated(raw, for: setting)
        record(setting, "\"\(value)\"")
        return value
    }

    mutating func integer(_ setting: ConfigurationSetting) throws(ConfigurationError) -> Int {
        guard case .integer(let range) = setting.kind else {
            preconditionFailure("\(setting.key) is read as an integer but its kind is \(setting.kind)")
        }
        let value: Int
        do {
            value = try reader.requiredInt(forKey: ConfigKey(setting.key))
        } catch {
            throw .invalidValue(setting, value: rawText(setting), from: sourceOf(setting), problem: "is not an integer")
        }
        guard range.contains(value) else {
            throw .invalidValue(setting, value: String(value), from: sourceOf(setting), problem: "is out of range")
        }
        record(setting, String(value))
        return value
    }

    mutating func boolean(_ setting: ConfigurationSetting) throws(ConfigurationError) -> Bool {
        let value: Bool
        do {
            value = try reader.requiredBool(forKey: ConfigKey(setting.key))
        } catch {
            throw .invalidValue(setting, value: rawText(setting), from: sourceOf(setting), problem: "is not a boolean")
        }
        record(setting, String(value))
        return value
    }

    /// A pattern setting's boolean, nil when the file leaves it out.
    mutating func optionalBoolean(_ setting: ConfigurationSetting) throws(ConfigurationError) -> Bool? {
        guard reader.string(forKey: ConfigKey(setting.key)) != nil || sourceOf(setting) != .defaultValue else { return nil }
        return try boolean(setting)
    }

    /// A pattern setting's integer, nil when the file leaves it out.
    mutating func optionalInteger(_ setting: ConfigurationSetting) throws(ConfigurationError) -> Int? {
        guard reader.string(forKey: ConfigKey(setting.key)) != nil || sourceOf(setting) != .defaultValue else { return nil }
        return try integer(setting)
    }

    /// A list of addresses and prefixes, each checked.
    mutating func addressList(_ setting: ConfigurationSetting) throws(ConfigurationError) -> [String] {
        let values: [String]
        do {
            values = try reader.requiredStringArray(forKey: ConfigKey(setting.key))
        } catch {
            throw .invalidValue(setting, value: rawText(setting), from: sourceOf(setting), problem: "is not a list")
        }
        guard !values.isEmpty else {
            throw .invalidValue(setting, value: "[]", from: sourceOf(setting), problem: "is empty")
        }
        for value in values where (try? AddressRange(value)) == nil {
            throw .invalidValue(setting, value: value, from: sourceOf(setting), problem: "is not an IP address or prefix")
        }
        record(setting, "[" + values.joined(separator: ", ") + "]")
        return values
    }

    /// A list of choices in the order written, nil when the file leaves it out.
    mutating func optionalChoiceList(_ setting: ConfigurationSetting) throws(ConfigurationError) -> [String]? {
        guard case .choiceList(let choices) = setting.kind else {
            preconditionFailure("\(setting.key) is read as a list of choices but its kind is \(setting.kind)")
        }
        guard sourceOf(setting) != .defaultValue else { return nil }
        let values: [String]
        do {
            values = try reader.requiredStringArray(forKey: ConfigKey(setting.key)).map { $0.lowercased() }
        } catch {
            throw .invalidValue(setting, value: rawText(setting), from: sourceOf(setting), problem: "is not a list")
        }
        guard !values.isEmpty else {
            throw .invalidValue(setting, value: "[]", from: sourceOf(setting), problem: "is empty")
        }
        for value in values where !choices.contains(value) {
            throw .invalidValue(setting, value: value, from: sourceOf(setting), problem: "is not a known choice")
        }
        guard Set(values).count == values.count else {
            throw .invalidValue(setting, value: values.joined(separator: ", "), from: sourceOf(setting), problem: "names a choice twice")
        }
        record(setting, "[" + values.joined(separator: ", ") + "]")
        return values
    }

    /// Where a setting's value comes from, for messages about it.
    func source(of setting: ConfigurationSetting) -> ValueSource { sourceOf(setting) }

    /// Records a value the loader derived itself (a default computed from another key).
    mutating func recordDerived(_ setting: ConfigurationSetting, _ value: String) {
        record(setting, "\"\(value)\"")
    }

    private mutating func record(_ setting: ConfigurationSetting, _ display: String) {
        effective.append(EffectiveSetting(setting: setting, displayValue: display, source: sourceOf(setting)))
    }

    /// The value as text, for an error message about a value of the wrong type.
    private func rawText(_ setting: ConfigurationSetting) -> String? {
        reader.string(forKey: ConfigKey(setting.key))
    }

    private func validated(_ raw: String, for setting: ConfigurationSetting) throws(ConfigurationError) -> String {
        let source = sourceOf(setting)
        switch setting.kind {
        case .deviceName:
            guard Self.isDeviceName(raw) else {
                throw .invalidValue(setting, value: raw, from: source, problem: "is not a valid device name")
            }
            return raw
        case .choice(let choices):
            guard let choice = choices.first(where: { $0 == raw.lowercased() }) else {
                throw .invalidValue(setting, value: raw, from: source, problem: "is not a known choice")
            }
            return choice
        case .ipAddress:
            guard (try? SocketAddress(ipAddress: raw, port: 0)) != nil else {
                throw .invalidValue(setting, value: raw, from: source, problem: "is not an IP address")
            }
            return raw
        case .absolutePath:
            guard raw.hasPrefix("/"), !raw.contains("\0") else {
                throw .invalidValue(setting, value: raw, from: source, problem: "is not an absolute path")
            }
            return raw
        case .sipURI:
            guard (try? SIPURI.parse(raw)) != nil else {
                throw .invalidValue(setting, value: raw, from: source, problem: "is not a SIP URI")
            }
            return raw
        case .userName:
            guard !raw.isEmpty, raw.count <= 128, raw.unicodeScalars.allSatisfy({ $0.isASCII && $0.value > 0x20 && !"\"<>@:%".unicodeScalars.contains($0) }) else {
                throw .invalidValue(setting, value: raw, from: source, problem: "is not a SIP user name")
            }
            return raw
        case .httpsURL:
            guard let url = URL(string: raw), url.scheme == "https", let host = url.host, !host.isEmpty, url.user == nil else {
                throw .invalidValue(setting, value: raw, from: source, problem: "is not an https URL (nothing leaves the box in the clear)")
            }
            return raw
        case .countryCode:
            guard (try? DataRegion(raw)) != nil else {
                throw .invalidValue(setting, value: raw, from: source, problem: "is not a country code")
            }
            return raw.uppercased()
        case .x25519PublicKey:
            guard let bytes = Data(base64Encoded: raw), bytes.count == 32 else {
                throw .invalidValue(setting, value: raw, from: source, problem: "is not a base64 X25519 public key")
            }
            return raw
        case .sha256Hex:
            let lower = raw.lowercased()
            guard lower.count == 64, lower.allSatisfy({ $0.isHexDigit }) else {
                throw .invalidValue(setting, value: raw, from: source, problem: "is not a SHA-256 digest in hex")
            }
            return lower
        case .byteSize:
            guard let bytes = Self.bytes(in: raw), bytes > 0 else {
                throw .invalidValue(setting, value: raw, from: source, problem: "is not a size")
            }
            return String(bytes)
        case .hardwareName:
            guard !raw.isEmpty, raw.utf8.count <= 128, raw.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "_-:=,.".unicodeScalars.contains($0)) }) else {
                throw .invalidValue(setting, value: raw, from: source, problem: "is not a device, chip or board name")
            }
            return raw
        case .integer, .boolean, .addressList, .choiceList:
            preconditionFailure("\(setting.key) has kind \(setting.kind) and is not read as text")
        }
    }

    /// `512MiB` → 536870912; decimal (KB, MB…) and binary (KiB, MiB…) units, case as written or not.
    static func bytes(in text: String) -> Int64? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let digits = trimmed.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, let number = Int64(digits) else { return nil }
        let unit = trimmed.dropFirst(digits.count).trimmingCharacters(in: .whitespaces).lowercased()
        let multipliers: [String: Int64] = [
            "": 1, "b": 1, "kb": 1_000, "mb": 1_000_000, "gb": 1_000_000_000, "tb": 1_000_000_000_000,
            "kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30, "tib": 1 << 40,
        ]
        guard let multiplier = multipliers[unit] else { return nil }
        let (bytes, overflow) = number.multipliedReportingOverflow(by: multiplier)
        return overflow ? nil : bytes
    }

    private static func isDeviceName(_ name: String) -> Bool {
        let characters = Array(name.utf8)
        guard (1...63).contains(characters.count), characters.first != UInt8(ascii: "-"),
            characters.last != UInt8(ascii: "-")
        else { return false }
        return characters.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "-")
        }
    }
}

/// One line of the effective configuration: a setting, its value as shown to a
/// person, and where that value came from.
public struct EffectiveSetting: Sendable, Hashable {
    public let setting: ConfigurationSetting
    public let displayValue: String
    public let source: ValueSource
}
