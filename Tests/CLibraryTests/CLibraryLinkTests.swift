import CALSA
import CArgon2
import COpus
import CSRTP
import Testing

/// Each Debian C library Hushbox wraps must link and answer. A missing or
/// mismatched -dev package shows up here first, by name, instead of deep inside
/// a media or vault test.
@Suite("C libraries link and answer")
struct CLibraryLinkTests {
    /// libsrtp2's initialisation is process-wide and belongs to Media's
    /// SRTPContext (the MediaTests exercise it); calling srtp_init or
    /// srtp_shutdown here would race with those tests in the same process.
    @Test("libsrtp2 reports a 2.x version with GCM suites built in")
    func srtpReportsVersion() {
        let version = String(cString: srtp_get_version_string())
        #expect(version.hasPrefix("libsrtp2 2."), "unexpected libsrtp2 version: \(version)")
        #expect(srtp_get_version() >= 0x0200_0000)
        var policy = srtp_crypto_policy_t()
        srtp_crypto_policy_set_aes_gcm_256_16_auth(&policy)
        #expect(policy.cipher_key_len == 44, "AES-256-GCM: 32-byte key and 12-byte salt")
    }

    @Test("libopus reports its version")
    func opusReportsVersion() {
        let opus = String(cString: opus_get_version_string())
        #expect(opus.hasPrefix("libopus 1."), "unexpected libopus version: \(opus)")
    }

    @Test("ALSA's library reports a 1.x version")
    func alsaReportsVersion() {
        let version = String(cString: snd_asoundlib_version())
        #expect(version.hasPrefix("1."), "unexpected ALSA version: \(version)")
    }

    /// RFC 9106 §5.3: Argon2id with password 32×0x01, salt 16×0x02, secret 8×0x03,
    /// associated data 12×0x04, 32 KiB, 3 passes, 4 lanes, 32-byte tag.
    /// `argon2id_hash_raw` takes neither secret nor associated data, so the RFC's
    /// vector goes through the full-context entry point `argon2_ctx`.
    @Test("Argon2id reproduces the RFC 9106 §5.3 test vector")
    func argon2idMatchesRFC9106() {
        var password = [UInt8](repeating: 0x01, count: 32)
        var salt = [UInt8](repeating: 0x02, count: 16)
        var secret = [UInt8](repeating: 0x03, count: 8)
        var associatedData = [UInt8](repeating: 0x04, count: 12)
        var tag = [UInt8](repeating: 0, count: 32)
        let status = password.withUnsafeMutableBufferPointer { password in
            salt.withUnsafeMutableBufferPointer { salt in
                secret.withUnsafeMutableBufferPointer { secret in
                    associatedData.withUnsafeMutableBufferPointer { associatedData in
                        tag.withUnsafeMutableBufferPointer { tag in
                            var context = argon2_context()
                            context.out = tag.baseAddress
                            context.outlen = UInt32(tag.count)
                            context.pwd = password.baseAddress
                            context.pwdlen = UInt32(password.count)
                            context.salt = salt.baseAddress
                            context.saltlen = UInt32(salt.count)
                            context.secret = secret.baseAddress
                            context.secretlen = UInt32(secret.count)
                            context.ad = associatedData.baseAddress
                            context.adlen = UInt32(associatedData.count)
                            context.t_cost = 3
                            context.m_cost = 32
                            context.lanes = 4
                            context.threads = 4
                            context.version = UInt32(ARGON2_VERSION_13.rawValue)
                            return argon2_ctx(&context, Argon2_id)
                        }
                    }
                }
            }
        }
        #expect(status == ARGON2_OK.rawValue)
        #expect(hex(tag) == "0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659")
    }

    /// The reference implementation's own known answer for argon2id_hash_raw
    /// (phc-winner-argon2 test.c: t=2, m=64 MiB, p=1, "password", "somesalt").
    @Test("argon2id_hash_raw reproduces the reference implementation's known answer")
    func argon2idHashRawMatchesReference() {
        let password = Array("password".utf8)
        let salt = Array("somesalt".utf8)
        var tag = [UInt8](repeating: 0, count: 32)
        let status = tag.withUnsafeMutableBytes { tag in
            argon2id_hash_raw(2, 1 << 16, 1, password, password.count, salt, salt.count, tag.baseAddress, tag.count)
        }
        #expect(status == ARGON2_OK.rawValue)
        #expect(hex(tag) == "09316115d5cf24ed5a15a31a3ba326e5cf32edc24702987c02b6566f61913cf7")
    }

    private func hex(_ bytes: [UInt8]) -> String {
        bytes.map { byte in
            let digits = String(byte, radix: 16)
            return byte < 0x10 ? "0" + digits : digits
        }.joined()
    }
}
