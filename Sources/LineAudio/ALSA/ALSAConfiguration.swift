import CALSA

/// ALSA's configuration for one line: the system's own (what `aplay -L`
/// sees) plus, where the line names one, a file of its own that defines its
/// devices (a board's plug and dsnoop wiring, a test's file plugin). Read per
/// line and handed to `snd_pcm_open_lconf`: nothing process-wide such as
/// `ALSA_CONFIG_PATH` changes. Not Sendable: the stream that opened with it owns it.
final class ALSAConfiguration {
    let tree: OpaquePointer?

    /// - Parameter extraFile: an ALSA configuration file to add, or nil for the system's alone.
    init(extraFile: String?) throws(LineAudioError) {
        guard let extraFile else {
            tree = nil
            return
        }
        var global: OpaquePointer?
        var status = snd_config_update_ref(&global)
        guard status >= 0, let global else { throw .configuration(path: extraFile, reason: ALSAConfiguration.message(status)) }
        defer { snd_config_unref(global) }
        var copy: OpaquePointer?
        status = snd_config_copy(&copy, global)
        guard status >= 0, let copy else { throw .configuration(path: extraFile, reason: ALSAConfiguration.message(status)) }
        var input: OpaquePointer?
        status = snd_input_stdio_open(&input, extraFile, "r")
        guard status >= 0, let input else {
            snd_config_delete(copy)
            throw .configuration(path: extraFile, reason: ALSAConfiguration.message(status))
        }
        status = snd_config_load(copy, input)
        snd_input_close(input)
        guard status >= 0 else {
            snd_config_delete(copy)
            throw .configuration(path: extraFile, reason: ALSAConfiguration.message(status))
        }
        tree = copy
    }

    deinit {
        if let tree { snd_config_delete(tree) }
    }

    static func message(_ status: Int32) -> String {
        String(cString: snd_strerror(status))
    }
}
