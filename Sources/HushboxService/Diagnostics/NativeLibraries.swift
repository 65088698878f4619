internal import CALSA
internal import CArgon2
internal import COpus
internal import CSRTP
internal import CSpanDSP
internal import CSpeexDSP
internal import CGPIOD

/// Asks each C library Hushbox links for its version, proving it loads and
/// answers on this box: the first thing a technician checks after an upgrade.
public enum NativeLibraries {
    public struct Report: Sendable, Hashable {
        public let library: String
        public let version: String?
        public let problem: String?
    }

    public static func check() -> [Report] {
        var reports: [Report] = []
        let srtpStatus = srtp_init()
        if srtpStatus == srtp_err_status_ok {
            reports.append(Report(library: "libsrtp2", version: String(cString: srtp_get_version_string()), problem: nil))
        } else {
            reports.append(Report(library: "libsrtp2", version: nil, problem: "srtp_init failed with status \(srtpStatus.rawValue)"))
        }
        reports.append(Report(library: "libopus", version: String(cString: opus_get_version_string()), problem: nil))
        reports.append(Report(library: "libasound2", version: String(cString: snd_asoundlib_version()), problem: nil))
        reports.append(argon2())
        reports.append(Report(library: "libspandsp", version: "release \(SPANDSP_RELEASE_DATETIME_STRING)", problem: nil))
        reports.append(speexdsp())
        reports.append(Report(library: "libgpiod", version: String(cString: gpiod_version_string()), problem: nil))
        return reports
    }

    /// speexdsp has no version call; a resampler made and freed shows it works.
    private static func speexdsp() -> Report {
        var error: Int32 = 0
        guard let resampler = speex_resampler_init(1, 48000, 8000, 5, &error), error == 0 else {
            return Report(library: "libspeexdsp", version: nil, problem: String(cString: speex_resampler_strerror(error)))
        }
        speex_resampler_destroy(resampler)
        return Report(library: "libspeexdsp", version: "resampler", problem: nil)
    }

    /// libargon2 has no version call; a small Argon2id hash shows it works.
    private static func argon2() -> Report {
        let password = Array("hushbox-selftest".utf8)
        let salt = [UInt8](repeating: 0x5A, count: 16)
        var tag = [UInt8](repeating: 0, count: 32)
        let status = tag.withUnsafeMutableBytes { tag in
            argon2id_hash_raw(1, 64, 1, password, password.count, salt, salt.count, tag.baseAddress, tag.count)
        }
        guard status == ARGON2_OK.rawValue else {
            return Report(library: "libargon2", version: nil, problem: String(cString: argon2_error_message(status)))
        }
        return Report(library: "libargon2", version: "Argon2id v1.3", problem: nil)
    }
}
