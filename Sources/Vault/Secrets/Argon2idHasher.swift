import CArgon2
import Crypto
import Foundation

/// Hashes passwords, PINs and API keys with Argon2id (RFC 9106) through
/// libargon2, in the PHC string format (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`)
/// so the parameters travel with each hash and can be raised later.
///
/// Every hash also takes a secret, the pepper (RFC 9106 §3.1's "secret value
/// K"), which lives in the key tree under the device KEK and never in a row: a
/// copy of the database alone does not allow guessing even a 4-digit PIN offline.
struct Argon2idHasher: Sendable {
    /// OWASP's recommended minimum for Argon2id (m = 19 MiB, t = 2, p = 1).
    /// RFC 9106's first recommendation (2 GiB) is far beyond a Pi-class box, and
    /// its second (64 MiB, t = 3, p = 4) makes concurrent logins starve the
    /// recorder of memory; OWASP's profile keeps a guess at tens of milliseconds.
    struct Parameters: Sendable, Hashable {
        var memoryKiB: UInt32 = 19_456
        var iterations: UInt32 = 2
        var parallelism: UInt32 = 1
        var saltLength = 16
        var tagLength = 32
    }

    let pepper: SymmetricKey
    var parameters = Parameters()

    func hash(_ secret: String) throws(VaultError) -> String {
        var salt = [UInt8](repeating: 0, count: parameters.saltLength)
        var generator = SystemRandomNumberGenerator()
        for index in salt.indices { salt[index] = generator.next() }
        let tag = try compute(secret, salt: salt, parameters: parameters, tagLength: parameters.tagLength)
        return "$argon2id$v=19$m=\(parameters.memoryKiB),t=\(parameters.iterations),p=\(parameters.parallelism)$"
            + Self.base64(salt) + "$" + Self.base64(tag)
    }

    /// Whether `secret` matches `encoded`, comparing in constant time. A
    /// malformed hash never matches.
    func verify(_ secret: String, against encoded: String) -> Bool {
        guard let parsed = Self.parse(encoded),
            let tag = try? compute(secret, salt: parsed.salt, parameters: parsed.parameters, tagLength: parsed.tag.count)
        else { return false }
        return ConstantTime.equal(tag, parsed.tag)
    }

    private func compute(_ secret: String, salt: [UInt8], parameters: Parameters, tagLength: Int) throws(VaultError) -> [UInt8] {
        var password = Array(secret.utf8)
        var salt = salt
        var pepperBytes = pepper.withUnsafeBytes { Array($0) }
        var tag = [UInt8](repeating: 0, count: tagLength)
        defer {
            // Leave no copy of the secret or the pepper in freed memory.
            for index in password.indices { password[index] = 0 }
            for index in pepperBytes.indices { pepperBytes[index] = 0 }
        }
        let status = password.withUnsafeMutableBufferPointer { password in
            salt.withUnsafeMutableBufferPointer { salt in
                pepperBytes.withUnsafeMutableBufferPointer { pepper in
                    tag.withUnsafeMutableBufferPointer { tag in
                        var context = argon2_context()
                        context.out = tag.baseAddress
                        context.outlen = UInt32(tag.count)
                        context.pwd = password.baseAddress
                        context.pwdlen = UInt32(password.count)
                        context.salt = salt.baseAddress
                        context.saltlen = UInt32(salt.count)
                        context.secret = pepper.baseAddress
                        context.secretlen = UInt32(pepper.count)
                        context.t_cost = parameters.iterations
                        context.m_cost = parameters.memoryKiB
                        context.lanes = parameters.parallelism
                        context.threads = parameters.parallelism
                        context.version = UInt32(ARGON2_VERSION_13.rawValue)
                        return argon2_ctx(&context, Argon2_id)
                    }
                }
            }
        }
        guard status == ARGON2_OK.rawValue else {
            throw VaultError(.invalidInput, "Argon2id failed: \(String(cString: argon2_error_message(status)))")
        }
        return tag
    }

    private static func parse(_ encoded: String) -> (parameters: Parameters, salt: [UInt8], tag: [UInt8])? {
        let fields = encoded.split(separator: "$", omittingEmptySubsequences: false)
        guard fields.count == 6, fields[0].isEmpty, fields[1] == "argon2id", fields[2] == "v=19" else { return nil }
        var parameters = Parameters()
        for assignment in fields[3].split(separator: ",") {
            let pair = assignment.split(separator: "=")
            guard pair.count == 2, let value = UInt32(pair[1]) else { return nil }
            switch pair[0] {
            case "m": parameters.memoryKiB = value
            case "t": parameters.iterations = value
            case "p": parameters.parallelism = value
            default: return nil
            }
        }
        guard let salt = unbase64(fields[4]), let tag = unbase64(fields[5]), (16...64).contains(tag.count),
            (8...64).contains(salt.count), (8...(1 << 21)).contains(parameters.memoryKiB), (1...16).contains(parameters.iterations),
            (1...16).contains(parameters.parallelism)
        else { return nil }
        return (parameters, salt, tag)
    }

    /// PHC strings use standard base64 without padding.
    private static func base64(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "=", with: "")
    }

    private static func unbase64(_ text: Substring) -> [UInt8]? {
        let padded = String(text) + String(repeating: "=", count: (4 - text.count % 4) % 4)
        return Data(base64Encoded: padded).map(Array.init)
    }
}

/// Comparison whose time depends only on the lengths, never on where bytes differ.
enum ConstantTime {
    static func equal(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for index in lhs.indices { difference |= lhs[index] ^ rhs[index] }
        return difference == 0
    }
}
