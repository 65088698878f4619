public import Logging
import Media
public import Vault

/// At start, before any call: every message whose recording was cut off (a
/// power cut, SIGKILL) is kept up to its last whole sealed chunk, marked cut,
/// with the length that survived; calls the stop interrupted are closed as
/// failed. Run once per tenant; idempotent.
public enum VoicemailRecovery {
    /// Returns how many messages were recovered.
    @discardableResult
    public static func recover(_ tenant: TenantVault, outboxDestinations: [String], logger: Logger) throws(VaultError) -> Int {
        let interrupted = try tenant.interruptedRecordings()
        for recording in interrupted {
            let reader = try tenant.openObject(recording.objectID)
            var bytes: [UInt8] = []
            var wholeChunks = 0
            do {
                while let chunk = try reader.next() {
                    bytes += chunk
                    wholeChunks += 1
                }
            } catch where error.code == .objectTruncated {
                // What follows the last whole chunk never authenticated: it is not kept.
            }
            // The Ogg stream ends mid-page at worst; its whole pages give the length.
            let duration = (try? OggOpusReader.read(bytes))?.duration ?? .zero
            try tenant.recoverRecording(
                recording, wholeChunks: wholeChunks, byteCount: bytes.count, duration: duration, outboxDestinations: outboxDestinations,
                actor: "system:recovery"
            )
            logger.notice(
                "recovered a message cut off by a stop", metadata: ["voicemail_id": "\(recording.voicemailID)", "seconds": "\(duration.components.seconds)"]
            )
        }
        let closed = try tenant.failCallsInProgress()
        if closed > 0 {
            logger.notice("closed calls cut off by a stop", metadata: ["count": "\(closed)"])
        }
        return interrupted.count
    }
}
